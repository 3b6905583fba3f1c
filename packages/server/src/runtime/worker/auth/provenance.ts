import type { WorkerConfig } from '../config.js';
import { base64url, hmacSign } from './crypto.js';

/**
 * How a grant was obtained, recorded in everything it yields: access-token and viewer-session
 * claims, authorisation codes and refresh-token families in D1. A grant whose provenance is no
 * longer current is refused, so rotating a secret revokes what it granted:
 *
 * - `sg`, the JWT_SECRET generation, on every grant. JWTs signed with an old secret already fail
 *   their signature; this is what ties the D1 side (codes, refresh families) to the secret too.
 * - `kg`, which API_KEY was typed, on grants of the `api-key` subject only. GitHub grants do not
 *   depend on the API key; their user is checked against ALLOWED_GITHUB_USERNAMES on every use.
 *
 * Both are HMACs keyed with JWT_SECRET (truncated to 128 bits): they reveal nothing about either
 * secret to whoever reads a token's payload or the database, and cannot be computed without it.
 * A grant recorded without provenance (before migration 0003) is never current.
 */
export type Provenance = {
  sg?: string;
  kg?: string;
};

const LABEL = 'backlog-mcp grant provenance v1';

async function fingerprint(secret: string, what: string): Promise<string> {
  return base64url((await hmacSign(secret, `${LABEL}\n${what}`)).slice(0, 16));
}

/** What a grant for `subject` obtained now records; empty when the Worker has no JWT_SECRET. */
export async function currentProvenance(config: WorkerConfig, subject: string): Promise<Provenance> {
  const secret = config.jwtSecret;
  if (!secret) return {};
  const sg = await fingerprint(secret, 'jwt-secret');
  if (subject !== 'api-key' || !config.apiKey) return { sg };
  return { sg, kg: await fingerprint(secret, `api-key\n${config.apiKey}`) };
}

/** Whether a grant with this provenance was obtained under the secrets the Worker has now. */
export async function grantCurrent(config: WorkerConfig, subject: string, recorded: Provenance): Promise<boolean> {
  const now = await currentProvenance(config, subject);
  if (!now.sg || recorded.sg !== now.sg) return false;
  return subject !== 'api-key' || (!!now.kg && recorded.kg === now.kg);
}

/** The two D1 columns (`secret_gen`, `key_gen`) of a provenance. */
export function provenanceColumns(p: Provenance): [string | null, string | null] {
  return [p.sg ?? null, p.kg ?? null];
}

/** A provenance read back from a D1 row; NULL columns stay missing. */
export function provenanceOfRow(row: Record<string, unknown>): Provenance {
  return {
    ...(typeof row.secret_gen === 'string' ? { sg: row.secret_gen } : {}),
    ...(typeof row.key_gen === 'string' ? { kg: row.key_gen } : {}),
  };
}
