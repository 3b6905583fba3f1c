-- backlog-mcp on Cloudflare D1: per-address rate limits and the expiry of OAuth clients that never got a token.
-- Apply once with: npx wrangler d1 execute backlog --remote --file=migrations/0004_rate_limits.sql
-- (ALTER TABLE cannot run twice; `wrangler d1 migrations apply` remembers that it ran.)
-- The numbers live in src/worker/auth/rate-limit.ts and client-registry.ts (docs/limits.md).

-- When a client last obtained a token (epoch seconds); NULL: never. A client still NULL a day after
-- registering is deleted by the next registration.
ALTER TABLE oauth_clients ADD COLUMN last_used_at INTEGER;
CREATE INDEX IF NOT EXISTS oauth_clients_unused ON oauth_clients (created_at) WHERE last_used_at IS NULL;

-- Every token the token endpoint issues comes with a refresh token (first sign-in and each
-- rotation), so this trigger records each use with no code path able to forget it.
CREATE TRIGGER IF NOT EXISTS oauth_clients_used AFTER INSERT ON oauth_refresh_tokens BEGIN
  UPDATE oauth_clients SET last_used_at = new.created_at
  WHERE client_id = (SELECT client_id FROM oauth_families WHERE family_id = new.family_id);
END;

-- Fixed-window counters, one row per kind and address: `fail:<address>` counts failed credential
-- checks, `register:<address>` registrations. The address is CF-Connecting-IP (IPv6 by /64).
-- A row whose window has ended counts from 1 again; ended rows are swept now and then.
CREATE TABLE IF NOT EXISTS rate_limits (
  bucket TEXT PRIMARY KEY,
  hits INTEGER NOT NULL,
  expires_at INTEGER NOT NULL           -- end of the window, epoch seconds
);
CREATE INDEX IF NOT EXISTS rate_limits_by_expiry ON rate_limits (expires_at);
