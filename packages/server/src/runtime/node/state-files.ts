import { readFileSync, statSync } from 'node:fs';
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

/** The PID in `server.pid` and when the file was written: a claim to be proven (cli/process-proof.ts), not a fact. */
export function readServerPidFile(dataDir: string): { pid: number; writtenAtMs: number } | undefined {
  const file = serverStateFiles(dataDir).pid;
  try {
    const writtenAtMs = statSync(file).mtimeMs;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? { pid, writtenAtMs } : undefined;
  } catch {
    return undefined;
  }
}
