/** The HTTP pieces the OAuth routes answer with: JSON that is never cached, redirects, cookies. */

export const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, mcp-session-id, mcp-protocol-version, last-event-id',
  'access-control-expose-headers': 'mcp-session-id, www-authenticate',
  'access-control-max-age': '86400',
};

export function noStore(body: unknown, status = 200, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      ...CORS_HEADERS,
      ...extra,
    },
  });
}

export function oauthError(error: string, description: string, status = 400): Response {
  return noStore({ error, error_description: description }, status);
}

/** The answer of /register and /token while the Worker has no JWT_SECRET. */
export const oauthOff = () => oauthError('temporarily_unavailable', 'OAuth is off: the server has no JWT_SECRET', 503);

export function redirect(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 302, headers: { location, 'cache-control': 'no-store', ...headers } });
}

export function cookie(
  name: string,
  value: string,
  options: { path: string; maxAge: number; secure?: boolean },
): string {
  const secure = options.secure === false ? '' : ' Secure;';
  return `${name}=${value}; Path=${options.path}; Max-Age=${options.maxAge}; HttpOnly;${secure} SameSite=Lax`;
}

export const formField = (form: Record<string, unknown>, name: string) =>
  typeof form[name] === 'string' ? (form[name] as string) : undefined;
