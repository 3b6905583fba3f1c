import { randomBytes } from 'node:crypto';
import { linkSync, lstatSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { serverStateFiles } from './state-files.js';

const TOKEN_SHAPE = /^[0-9a-f]{64}$/;

/**
 * The owner's token, as the CLI and the bridge read it: `<data>/.state/server.token`. Undefined when
 * missing, unreadable (another user's server) or malformed.
 */
export function readServerToken(dataDir: string): string | undefined {
  try {
    const token = readFileSync(serverStateFiles(dataDir).token, 'utf8').trim();
    return TOKEN_SHAPE.test(token) ? token : undefined;
  } catch {
    return undefined;
  }
}

/** lstat, so a dangling symlink planted in place of the file counts as present (and is replaced). */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** True when only this user could have written the file and only this user can read it. */
function isPrivate(path: string): boolean {
  const stat = lstatSync(path);
  const ownUid = process.getuid?.();
  return stat.isFile() && (stat.mode & 0o077) === 0 && (ownUid === undefined || stat.uid === ownUid);
}

/**
 * The token the server requires (ADR 0012): kept across restarts so the viewer's cookie, a bookmarked
 * link and an HTTP client's header survive an upgrade. A file others could read or have planted is
 * replaced. Creation is atomic and exclusive (link(2) fails if the file exists), so two servers
 * starting at once agree on one token.
 */
export function loadOrCreateServerToken(dataDir: string, log: (line: string) => void = () => {}): string {
  const files = serverStateFiles(dataDir);
  // The data folder keeps its usual mode; only the state folder is private.
  mkdirSync(dirname(files.dir), { recursive: true });
  try {
    mkdirSync(files.dir, { mode: 0o700 });
  } catch {
    // exists already (made by an earlier start, or a log)
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    if (present(files.token)) {
      const existing = readServerToken(dataDir);
      if (existing && isPrivate(files.token)) return existing;
      log(
        `backlog: replacing ${files.token}: it was not a private token file (64 hex digits, mode 0600, owned by this user)`,
      );
      try {
        unlinkSync(files.token);
      } catch {
        // gone meanwhile
      }
    }
    const token = randomBytes(32).toString('hex');
    const temp = `${files.token}.${process.pid}.tmp`;
    writeFileSync(temp, `${token}\n`, { mode: 0o600 });
    try {
      linkSync(temp, files.token);
      return token;
    } catch {
      // another server created it first: read theirs on the next turn
    } finally {
      unlinkSync(temp);
    }
  }
  throw new Error(`Could not create the server token ${files.token}`);
}
