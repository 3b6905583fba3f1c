import { readFileSync } from 'node:fs';
import type { Config } from '../../runtime/node/config.js';
import { readServerPidFile, serverStateFiles } from '../../runtime/node/state-files.js';
import { proveServerProcess, startTicksOf } from '../process-proof.js';
import { type Target, TIMEOUTS } from './probe.js';
import { waitUntil } from './wait.js';

/** A zombie (exited, not yet reaped by its parent) counts as gone. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * SIGTERM, then SIGKILL after a grace period, to a process proven to be our server (`startTicks`
 * from its proof: should it exit and its PID be reused meanwhile, the newcomer is left alone).
 * Resolves once the process is gone (or could not be killed).
 */
export async function killProcess(
  pid: number,
  startTicks: number,
  graceMs: number = TIMEOUTS.killGraceMs,
): Promise<boolean> {
  const gone = (): boolean => !isAlive(pid) || startTicksOf(pid) !== startTicks;
  if (gone()) return true;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return gone();
  }
  if (await waitUntil(gone, graceMs)) return true;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
  return waitUntil(gone, graceMs);
}

/**
 * The backlog-mcp server for this data folder that holds the port: the PID in its PID file, proven
 * through /proc (process-proof.ts). Never a PID from an HTTP answer: anyone can hold the port.
 */
export function provenServer(
  config: Config,
  target: Target,
): { pid: number; startTicks: number } | { refusal: string } {
  const file = readServerPidFile(config.dataDir);
  if (!file) return { refusal: `no PID file ${serverStateFiles(config.dataDir).pid}` };
  const proof = proveServerProcess({
    pid: file.pid,
    dataDir: config.dataDir,
    port: target.port,
    pidFileWrittenAtMs: file.writtenAtMs,
  });
  return proof.proven ? { pid: file.pid, startTicks: proof.startTicks } : { refusal: proof.reason };
}
