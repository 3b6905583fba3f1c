import { join } from 'node:path';

/**
 * Files the running server keeps in `<data>/.state/` for the CLI (`status`, `stop`, the bridge).
 * A module of its own so the bridge can find them without loading the server.
 */
export function serverStateFiles(dataDir: string): { dir: string; token: string; pid: string; log: string } {
  const dir = join(dataDir, '.state');
  return {
    dir,
    token: join(dir, 'server.token'),
    pid: join(dir, 'server.pid'),
    log: join(dir, 'server.log'),
  };
}
