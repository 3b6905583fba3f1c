import type { D1Database } from '../../../adapters/d1/d1-types.js';
import { randomToken, sha256Hex } from './crypto.js';
import { nowSeconds } from './jwt.js';
import { type Provenance, provenanceColumns, provenanceOfRow } from './provenance.js';

export interface OAuthClient {
  client_id: string;
  client_name?: string;
  redirect_uris: string[];
  token_endpoint_auth_method: 'none' | 'client_secret_post' | 'client_secret_basic';
  client_secret_hash?: string;
  created_at: number;
}

/** A code remembers the secrets it was granted under (provenance.ts), and so does its family. */
export interface CodeGrant extends Provenance {
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  subject: string;
  scope: string;
  resource?: string;
}

export interface Family extends Provenance {
  family_id: string;
  client_id: string;
  subject: string;
  scope: string;
  resource?: string;
}

export type RefreshOutcome =
  | { ok: true; family: Family; refreshToken: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'replayed' | 'client' };

const CODE_TTL_SECONDS = 300;

/** What a code and a refresh family both grant: a client, a subject, a scope, and how it was obtained. */
function grantOfRow(row: Record<string, unknown>) {
  return {
    client_id: String(row.client_id),
    subject: String(row.subject),
    scope: String(row.scope ?? ''),
    resource: row.resource ? String(row.resource) : undefined,
    ...provenanceOfRow(row),
  };
}

/** OAuth state in D1: registered clients, single-use codes, refresh-token families. Only hashes of secrets. */
export class OAuthStore {
  constructor(private readonly db: D1Database) {}

  async registerClient(client: Omit<OAuthClient, 'created_at' | 'client_id'>): Promise<OAuthClient> {
    const stored: OAuthClient = { ...client, client_id: randomToken(16), created_at: nowSeconds() };
    await this.db
      .prepare(
        `INSERT INTO oauth_clients (client_id, client_name, redirect_uris, token_endpoint_auth_method, client_secret_hash, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        stored.client_id,
        stored.client_name ?? null,
        JSON.stringify(stored.redirect_uris),
        stored.token_endpoint_auth_method,
        stored.client_secret_hash ?? null,
        stored.created_at,
      )
      .run();
    return stored;
  }

  async client(clientId: string): Promise<OAuthClient | undefined> {
    const row = await this.db
      .prepare('SELECT * FROM oauth_clients WHERE client_id = ?')
      .bind(clientId)
      .first<Record<string, unknown>>();
    if (!row) return undefined;
    return {
      client_id: String(row.client_id),
      client_name: row.client_name ? String(row.client_name) : undefined,
      redirect_uris: JSON.parse(String(row.redirect_uris)) as string[],
      token_endpoint_auth_method: String(row.token_endpoint_auth_method) as OAuthClient['token_endpoint_auth_method'],
      client_secret_hash: row.client_secret_hash ? String(row.client_secret_hash) : undefined,
      created_at: Number(row.created_at),
    };
  }

  /** A fresh authorisation code; only its hash is stored. */
  async issueCode(grant: CodeGrant): Promise<string> {
    const code = randomToken(32);
    const now = nowSeconds();
    await this.db.batch([
      // Housekeeping: expired codes are useless, drop them while we are here.
      this.db.prepare('DELETE FROM oauth_codes WHERE expires_at < ?').bind(now),
      this.db
        .prepare(
          `INSERT INTO oauth_codes (code_hash, client_id, redirect_uri, code_challenge, subject, scope, resource, expires_at,
             secret_gen, key_gen)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(
          await sha256Hex(code),
          grant.client_id,
          grant.redirect_uri,
          grant.code_challenge,
          grant.subject,
          grant.scope,
          grant.resource ?? null,
          now + CODE_TTL_SECONDS,
          ...provenanceColumns(grant),
        ),
    ]);
    return code;
  }

  /** Takes a code out of the table in the same statement that reads it: a second use finds nothing. */
  async consumeCode(code: string): Promise<CodeGrant | undefined> {
    const row = await this.db
      .prepare('DELETE FROM oauth_codes WHERE code_hash = ? RETURNING *')
      .bind(await sha256Hex(code))
      .first<Record<string, unknown>>();
    if (!row || Number(row.expires_at) < nowSeconds()) return undefined;
    return {
      ...grantOfRow(row),
      redirect_uri: String(row.redirect_uri),
      code_challenge: String(row.code_challenge),
    };
  }

  /** Starts a refresh-token family (one per sign-in) and returns its first refresh token. */
  async startFamily(family: Omit<Family, 'family_id'>, ttl: number): Promise<{ family: Family; refreshToken: string }> {
    const full: Family = { ...family, family_id: randomToken(16) };
    const refreshToken = randomToken(32);
    const now = nowSeconds();
    await this.db.batch([
      this.db
        .prepare(
          `INSERT INTO oauth_families (family_id, client_id, subject, scope, resource, created_at, secret_gen, key_gen)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(
          full.family_id,
          full.client_id,
          full.subject,
          full.scope,
          full.resource ?? null,
          now,
          ...provenanceColumns(full),
        ),
      this.db
        .prepare('INSERT INTO oauth_refresh_tokens (token_hash, family_id, expires_at, created_at) VALUES (?, ?, ?, ?)')
        .bind(await sha256Hex(refreshToken), full.family_id, now + ttl, now),
    ]);
    return { family: full, refreshToken };
  }

  /**
   * Exchanges a refresh token for the next one in its family. The old token is marked
   * rotated by a conditional UPDATE, so of two concurrent uses only one wins; presenting
   * a token that was already rotated is a replay and revokes the whole family.
   */
  async rotate(refreshToken: string, clientId: string, ttl: number): Promise<RefreshOutcome> {
    const hash = await sha256Hex(refreshToken);
    const now = nowSeconds();
    const row = await this.db
      .prepare(
        `SELECT t.family_id, t.expires_at, t.rotated_at, f.client_id, f.subject, f.scope, f.resource, f.revoked_at,
           f.secret_gen, f.key_gen
         FROM oauth_refresh_tokens t JOIN oauth_families f ON f.family_id = t.family_id WHERE t.token_hash = ?`,
      )
      .bind(hash)
      .first<Record<string, unknown>>();
    if (!row) return { ok: false, reason: 'unknown' };
    const family: Family = { family_id: String(row.family_id), ...grantOfRow(row) };
    if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
    if (family.client_id !== clientId) return { ok: false, reason: 'client' };
    if (row.rotated_at !== null) {
      await this.revokeFamily(family.family_id);
      return { ok: false, reason: 'replayed' };
    }
    if (Number(row.expires_at) < now) return { ok: false, reason: 'expired' };
    const next = randomToken(32);
    const [marked] = await this.db.batch([
      this.db
        .prepare('UPDATE oauth_refresh_tokens SET rotated_at = ? WHERE token_hash = ? AND rotated_at IS NULL')
        .bind(now, hash),
      this.db
        .prepare(
          `INSERT INTO oauth_refresh_tokens (token_hash, family_id, expires_at, created_at)
           SELECT ?, ?, ?, ? WHERE changes() = 1`,
        )
        .bind(await sha256Hex(next), family.family_id, now + ttl, now),
    ]);
    if ((marked?.meta.changes ?? 0) !== 1) {
      // Another request rotated it a moment ago: the same token was used twice.
      await this.revokeFamily(family.family_id);
      return { ok: false, reason: 'replayed' };
    }
    return { ok: true, family, refreshToken: next };
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.db
      .prepare('UPDATE oauth_families SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL')
      .bind(nowSeconds(), familyId)
      .run();
  }

  async familyActive(familyId: string): Promise<boolean> {
    const row = await this.db
      .prepare('SELECT revoked_at FROM oauth_families WHERE family_id = ?')
      .bind(familyId)
      .first<{ revoked_at: number | null }>();
    return !!row && row.revoked_at === null;
  }
}
