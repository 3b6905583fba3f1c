import { base64url, fromBase64url, hmacSign, hmacVerify } from './crypto.js';

/**
 * Compact HS256 JWTs over WebCrypto. Every token carries a `typ` claim, and
 * `verifyJwt` insists on the one it expects, so a viewer session, a pending
 * authorisation request or an MCP session id can never pass as an access token.
 */
export interface JwtClaims {
  typ: string;
  iat: number;
  exp: number;
  [claim: string]: unknown;
}

const HEADER = base64url(new TextEncoder().encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export async function signJwt(
  secret: string,
  typ: string,
  claims: Record<string, unknown>,
  ttlSeconds: number,
): Promise<string> {
  const iat = nowSeconds();
  const payload = base64url(new TextEncoder().encode(JSON.stringify({ ...claims, typ, iat, exp: iat + ttlSeconds })));
  const signature = await hmacSign(secret, `${HEADER}.${payload}`);
  return `${HEADER}.${payload}.${base64url(signature)}`;
}

export type JwtCheck<T> =
  | { ok: true; claims: T & JwtClaims }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' | 'type' };

export async function verifyJwt<T extends Record<string, unknown>>(
  secret: string,
  typ: string,
  token: string,
): Promise<JwtCheck<T>> {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [header, payload, signature] = parts as [string, string, string];
  if (header !== HEADER) return { ok: false, reason: 'malformed' }; // alg is pinned: no "none", no RS/HS confusion
  let sig: Uint8Array<ArrayBuffer>;
  try {
    sig = fromBase64url(signature);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!(await hmacVerify(secret, `${header}.${payload}`, sig))) return { ok: false, reason: 'signature' };
  let claims: T & JwtClaims;
  try {
    claims = JSON.parse(new TextDecoder().decode(fromBase64url(payload))) as T & JwtClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds()) return { ok: false, reason: 'expired' };
  if (claims.typ !== typ) return { ok: false, reason: 'type' };
  return { ok: true, claims };
}
