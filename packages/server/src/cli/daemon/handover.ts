import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../runtime/node/config.js';
import { serverStateFiles } from '../../runtime/node/state-files.js';
import { isStrictlyNewer } from '../semver.js';
import { probe, type Target } from './probe.js';
import { waitUntil } from './wait.js';

/**
 * While a newer CLI replaces the server, the port is briefly free; an older bridge that notices its
 * server gone must not start its own older one in that gap (they would replace each other). The
 * replacing CLI leaves a short-lived note, `<data>/.state/server.handover`, that older ones respect.
 */
const HANDOVER_MS = 15_000;

function handoverPath(dataDir: string): string {
  return join(serverStateFiles(dataDir).dir, 'server.handover');
}

export function writeHandover(dataDir: string, version: string): void {
  try {
    mkdirSync(serverStateFiles(dataDir).dir, { recursive: true });
    writeFileSync(
      handoverPath(dataDir),
      JSON.stringify({ version, pid: process.pid, until: Date.now() + HANDOVER_MS }),
      { mode: 0o600 },
    );
  } catch {
    // best effort: without it an older bridge may race, and the version rule still converges
  }
}

export function clearHandover(dataDir: string): void {
  try {
    const note = JSON.parse(readFileSync(handoverPath(dataDir), 'utf8')) as { pid?: unknown };
    if (note.pid === process.pid) unlinkSync(handoverPath(dataDir));
  } catch {
    // none, or not ours
  }
}

/** Waits (bounded) for a newer CLI's server when a handover note says one is coming. True if it came. */
export async function awaitNewerHandover(
  config: Config,
  target: Target,
  myVersion: string,
  log: (line: string) => void,
): Promise<boolean> {
  let note: { version?: unknown; pid?: unknown; until?: unknown };
  try {
    note = JSON.parse(readFileSync(handoverPath(config.dataDir), 'utf8')) as typeof note;
  } catch {
    return false;
  }
  if (note.pid === process.pid || typeof note.version !== 'string' || typeof note.until !== 'number') return false;
  if (note.until <= Date.now() || !isStrictlyNewer(note.version, myVersion)) return false;
  log(`A newer backlog-mcp (${note.version}) is taking over port ${target.port}; waiting for its server`);
  return waitUntil(
    async () => (await probe(target, 1000)).state !== 'free' || Date.now() >= (note.until as number),
    HANDOVER_MS,
    200,
  ).then(async () => (await probe(target)).state !== 'free');
}
