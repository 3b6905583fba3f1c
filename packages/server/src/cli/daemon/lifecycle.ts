import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../runtime/node/config.js';
import { serverStateFiles } from '../../runtime/node/state-files.js';
import { isStrictlyNewer } from '../semver.js';
import { DaemonError, portTakenMessage, unprovenMessage } from './errors.js';
import { awaitNewerHandover, clearHandover, writeHandover } from './handover.js';
import { errorCode, ownerHeaders, probe, type Target, TIMEOUTS, targetOf } from './probe.js';
import { killProcess, provenServer } from './processes.js';
import { tokenForServer } from './token.js';
import { sleep, waitUntil } from './wait.js';

async function waitForPortFree(target: Target, timeoutMs: number): Promise<boolean> {
  return waitUntil(async () => (await probe(target, 500)).state === 'free', timeoutMs, 100);
}

/**
 * Stops the server on the port: `POST /shutdown` with the owner's token from this data folder,
 * then waits for the port to be released; a server that ignores the request or does not answer
 * at all is killed through its PID file.
 */
export async function stopServer(
  config: Config,
  log: (line: string) => void = () => {},
): Promise<'stopped' | 'not-running'> {
  const target = targetOf(config);
  const first = await probe(target);
  if (first.state === 'free') return 'not-running';
  if (first.state === 'foreign') throw new DaemonError(portTakenMessage(target, first.detail));
  if (first.state === 'unresponsive') {
    await killHung(config, target, first.detail, log);
    return 'stopped';
  }
  const dataDir = config.dataDir;
  const token = tokenForServer(config);
  if (!token) {
    throw new DaemonError(
      `Cannot stop the server on port ${target.port}: the token file ${serverStateFiles(dataDir).token} ` +
        'is missing or not readable. Only the user who started the server can stop it.',
    );
  }
  let status = 0;
  try {
    const response = await fetch(`${target.base}/shutdown`, {
      method: 'POST',
      // x-backlog-token: servers before 0.2.0 took only that header.
      headers: { ...ownerHeaders(token), 'x-backlog-token': token },
      signal: AbortSignal.timeout(TIMEOUTS.shutdownMs),
    });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    log(`POST /shutdown failed (${errorCode(error) ?? String(error)}); falling back to the PID`);
  }
  if (status === 401 || status === 403) {
    throw new DaemonError(
      `The server on port ${target.port} refused to stop: the token in ${serverStateFiles(dataDir).token} does not match ` +
        '(it serves another data folder, or belongs to another user).',
    );
  }
  if (await waitForPortFree(target, TIMEOUTS.stopGraceMs)) return 'stopped';
  const late = `The server on port ${target.port} did not stop within ${TIMEOUTS.stopGraceMs} ms`;
  const server = provenServer(config, target);
  if ('refusal' in server) throw new DaemonError(unprovenMessage(config, target, late, server.refusal));
  log(`The server (PID ${server.pid}) did not stop in time; killing it`);
  await killProcess(server.pid, server.startTicks);
  if (await waitForPortFree(target, TIMEOUTS.killGraceMs)) return 'stopped';
  throw new DaemonError(`${late}, nor when killed.`);
}

/** A backlog-mcp server that holds the port but does not answer: kill it through its PID file. */
async function killHung(config: Config, target: Target, detail: string, log: (line: string) => void): Promise<void> {
  const second = await probe(target, TIMEOUTS.recheckMs);
  if (second.state === 'free' || second.state === 'running') return;
  const server = provenServer(config, target);
  if ('refusal' in server) {
    const situation = `Port ${target.port} is held by a process that does not answer (${detail})`;
    throw new DaemonError(unprovenMessage(config, target, situation, server.refusal));
  }
  const { pid } = server;
  log(`The server on port ${target.port} (PID ${pid}) is hung (${detail}); killing it`);
  await killProcess(pid, server.startTicks);
  if (!(await waitForPortFree(target, TIMEOUTS.killGraceMs))) {
    throw new DaemonError(`The hung server on port ${target.port} (PID ${pid}) could not be stopped.`);
  }
}

const LOG_ROTATE_BYTES = 5 * 1024 * 1024;

/** Opens `<data>/.state/server.log` for appending, keeping one previous generation. */
export function openServerLog(dataDir: string): number {
  const files = serverStateFiles(dataDir);
  mkdirSync(files.dir, { recursive: true });
  try {
    if (statSync(files.log).size > LOG_ROTATE_BYTES) renameSync(files.log, `${files.log}.1`);
  } catch {
    // no log yet
  }
  return openSync(files.log, 'a', 0o600);
}

/** The built CLI entry point, started again as `serve` for the background server. */
export function cliPath(): string {
  return fileURLToPath(new URL('../index.js', import.meta.url));
}

/** Starts `backlog-mcp serve` detached from this process, its output appended to the log file. */
export function spawnServer(config: Config): ChildProcess {
  const fd = openServerLog(config.dataDir);
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BACKLOG_DATA_DIR: config.dataDir,
      BACKLOG_VIEWER_PORT: String(config.port),
      BACKLOG_HOST: config.host,
    };
    if (config.versionOverride) env.BACKLOG_MCP_VERSION_OVERRIDE = config.versionOverride;
    const child = spawn(process.execPath, [cliPath(), 'serve'], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env,
      windowsHide: true,
    });
    child.unref();
    child.on('error', () => {});
    return child;
  } finally {
    closeSync(fd);
  }
}

function logTail(dataDir: string, lines = 5): string {
  try {
    const text = readFileSync(serverStateFiles(dataDir).log, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Spawns a server and waits until the port answers as backlog-mcp (ours, or the winner of a start race). */
async function startAndWait(config: Config, target: Target, log: (line: string) => void): Promise<string> {
  const child = spawnServer(config);
  log(
    `Started the backlog-mcp server (PID ${child.pid}) on port ${target.port}; log: ${serverStateFiles(config.dataDir).log}`,
  );
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + TIMEOUTS.startMs;
  while (Date.now() < deadline) {
    const state = await probe(target, 1000);
    if (state.state === 'running') return state.version;
    if (state.state === 'foreign') throw new DaemonError(portTakenMessage(target, state.detail));
    if (exited) {
      // Lost a start race? Then the winner answers now.
      const again = await probe(target);
      if (again.state === 'running') return again.version;
      if (again.state === 'foreign') throw new DaemonError(portTakenMessage(target, again.detail));
      const tail = logTail(config.dataDir);
      throw new DaemonError(`The backlog-mcp server exited during start-up.${tail ? `\n${tail}` : ''}`);
    }
    await sleep(100);
  }
  throw new DaemonError(
    `The backlog-mcp server did not answer on port ${target.port} within ${TIMEOUTS.startMs} ms; see ${serverStateFiles(config.dataDir).log}`,
  );
}

export interface Ensured {
  action: 'reused' | 'started' | 'replaced';
  version: string;
}

/**
 * Makes sure a backlog-mcp server answers on the configured port. The version rule that keeps
 * clients of different versions from restarting each other's server in a loop: only a strictly
 * newer CLI replaces a running server; an equal or older one reuses it.
 */
export async function ensureServer(config: Config, myVersion: string, log: (line: string) => void): Promise<Ensured> {
  const target = targetOf(config);
  let action: Ensured['action'] = 'reused';
  for (let round = 0; round < 4; round++) {
    const state = await probe(target);
    switch (state.state) {
      case 'running':
        if (round < 3 && isStrictlyNewer(myVersion, state.version)) {
          log(`The server on port ${target.port} runs ${state.version}, older than ${myVersion}: replacing it`);
          writeHandover(config.dataDir, myVersion);
          await stopServer(config, log);
          action = 'replaced';
          continue;
        }
        clearHandover(config.dataDir);
        return { action, version: state.version };
      case 'free': {
        if (await awaitNewerHandover(config, target, myVersion, log)) continue;
        const version = await startAndWait(config, target, log);
        if (action === 'reused') action = 'started';
        if (isStrictlyNewer(myVersion, version) && round < 3) continue; // an older server won a start race
        clearHandover(config.dataDir);
        return { action, version };
      }
      case 'unresponsive':
        await killHung(config, target, state.detail, log);
        action = 'replaced';
        continue;
      case 'foreign':
        throw new DaemonError(portTakenMessage(target, state.detail));
    }
  }
  throw new DaemonError(
    `Could not get a backlog-mcp server of version ${myVersion} or newer running on port ${target.port}.`,
  );
}
