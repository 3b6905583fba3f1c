-- backlog-mcp on Cloudflare D1: OAuth 2.1 clients, single-use authorisation codes and rotating refresh tokens.
-- Apply with: npx wrangler d1 execute backlog --remote --file=migrations/0002_oauth_refresh_tokens.sql
-- Only hashes (SHA-256) of codes, client secrets and refresh tokens are stored.

-- Clients registered dynamically (RFC 7591).
CREATE TABLE IF NOT EXISTS oauth_clients (
  client_id TEXT PRIMARY KEY,
  client_name TEXT,
  redirect_uris TEXT NOT NULL,          -- JSON array, compared exactly
  token_endpoint_auth_method TEXT NOT NULL DEFAULT 'none',
  client_secret_hash TEXT,              -- only for client_secret_post / client_secret_basic
  created_at INTEGER NOT NULL           -- epoch seconds
);

-- Authorisation codes: consumed by DELETE ... RETURNING, so each works exactly once.
CREATE TABLE IF NOT EXISTS oauth_codes (
  code_hash TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  code_challenge TEXT NOT NULL,         -- PKCE S256 only
  subject TEXT NOT NULL,                -- github:<login> or api-key
  scope TEXT NOT NULL DEFAULT '',
  resource TEXT,
  expires_at INTEGER NOT NULL
);

-- One family per sign-in: every refresh rotates the token inside the family; presenting
-- a token that was already rotated revokes the whole family (and its access tokens).
CREATE TABLE IF NOT EXISTS oauth_families (
  family_id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  scope TEXT NOT NULL DEFAULT '',
  resource TEXT,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE IF NOT EXISTS oauth_refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  family_id TEXT NOT NULL REFERENCES oauth_families (family_id),
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  rotated_at INTEGER                    -- set when exchanged; a second use is a replay
);
CREATE INDEX IF NOT EXISTS oauth_refresh_by_family ON oauth_refresh_tokens (family_id);
