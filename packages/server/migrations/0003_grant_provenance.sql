-- backlog-mcp on Cloudflare D1: grants remember which secrets they were obtained under.
-- Apply with: npx wrangler d1 execute backlog --remote --file=migrations/0003_grant_provenance.sql
-- Both columns hold HMACs keyed with JWT_SECRET (never a secret): `secret_gen` names the JWT_SECRET
-- generation, `key_gen` the API_KEY typed to obtain the grant (NULL for GitHub sign-ins). A code or
-- refresh family whose values differ from the Worker's current ones is refused, so rotating a secret
-- revokes what it granted. Rows from before this migration have NULLs and are refused: OAuth clients
-- signed in before it sign in once more.

ALTER TABLE oauth_codes ADD COLUMN secret_gen TEXT;
ALTER TABLE oauth_codes ADD COLUMN key_gen TEXT;
ALTER TABLE oauth_families ADD COLUMN secret_gen TEXT;
ALTER TABLE oauth_families ADD COLUMN key_gen TEXT;
