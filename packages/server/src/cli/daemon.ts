import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../runtime/node/config.js';
import { foreignListener } from '../runtime/node/port-owner.js';
import { readServerToken } from '../runtime/node/server-token.js';
import { readServerPidFile, serverStateFiles } from '../runtime/node/state-files.js';
import { proveServerProcess, startTicksOf } from './process-proof.js';
import { isStrictlyNewer, parseVersion } from './semver.js';

/** Probe and request time limits: a wedged server that still holds the port must never hang the CLI. */
export const TIMEOUTS = {
  probeMs: 1500,
  /** A second, longer look before a server that does not answer is called hung and killed. */
  recheckMs: 5000,
  healthMs: 3000,
  shutdownMs: 3000,
  /** How long a stopped server may take to release the port before it is killed. */
  stopGraceMs: 5000,
  killGraceMs: 2000,
  startMs: 10_000,
} as const;

/** Exit codes the CLI documents (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** `status` / `stop`: no server answers on the port. Item commands: the tool reported an error. */
  notRunning: 1,
  /** Item commands: the tool reported an error (message on stderr). */
  toolError: 1,
  usage: 2,
  /** The server could not be started, stopped or reached (port taken, refused token, timeout). */
  failure: 3,
} as const;

export class DaemonError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'DaemonError';
  }
}

export interface Target {
  port: number;
  /** Base URL for requests, e.g. http://127.0.0.1:3030 */
  base: string;
}

/** Where to reach the configured server: a wildcard bind address is reached through loopback. */
export function targetOf(config: Config): Target {
  let host = config.host;
  if (host === '0.0.0.0' || host === '') host = '127.0.0.1';
  if (host === '::' || host === '[::]') host = '::1';
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return { port: config.port, base: `http://${shown}:${config.port}` };
}

export type Probe =
  | { state: 'free' }
  | { state: 'running'; version: string }
  /** Something accepted the connection but did not answer in time (or dropped it). */
  | { state: 'unresponsive'; detail: string }
  /** Something answered, but not as backlog-mcp. */
  | { state: 'foreign'; detail: string };

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown; errors?: Array<{ code?: unknown }> } };
  const code = e?.cause?.code ?? e?.code ?? e?.cause?.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True for errors meaning "nobody listens there" (as opposed to "somebody listens but misbehaves"). */
export function isRefused(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ECONNREFUSED' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND';
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** Asks `/version` with a time limit and classifies the answer. */
export async function probe(target: Target, timeoutMs: number = TIMEOUTS.probeMs): Promise<Probe> {
  let response: Response;
  try {
    response = await fetch(`${target.base}/version`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if (isRefused(error)) return { state: 'free' };
    const detail = isTimeout(error)
      ? `no answer within ${timeoutMs} ms`
      : `connection failed (${errorCode(error) ?? String(error)})`;
    return { state: 'unresponsive', detail };
  }
  let text = '';
  try {
    text = await response.text();
  } catch (error) {
    return { state: 'unresponsive', detail: `the answer broke off (${errorCode(error) ?? String(error)})` };
  }
  const version = parseVersion(text);
  if (!response.ok || !version) {
    return {
      state: 'foreign',
      detail: `GET /version answered ${response.status} ${JSON.stringify(text.slice(0, 60))}`,
    };
  }
  return {
    state: 'running',
    version: `${version.major}.${version.minor}.${version.patch}${version.prerelease.length ? `-${version.prerelease.join('.')}` : ''}`,
  };
}

export interface Health {
  version?: string;
  data_dir?: string;
  task_count?: number;
  uptime_seconds?: number;
  /** Informational only: a PID from an HTTP answer is never killed (anyone can hold the port). */
  pid?: number;
  [key: string]: unknown;
}

/** Headers that open the server to its owner: the token from the data folder (ADR 0012). */
export function ownerHeaders(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** The server on the port answers as backlog-mcp but not to this data folder's token. */
export function refusedTokenMessage(config: Config, port: number): string {
  return (
    `The backlog-mcp server on port ${port} does not accept the token in ${serverStateFiles(config.dataDir).token}: ` +
    `it serves another data folder, or belongs to another user. Give each data folder its own BACKLOG_VIEWER_PORT.`
  );
}

/** True only when the server answers 401 to this token; a slow or loading server is not judged. */
export async function refusesToken(target: Target, token: string | undefined): Promise<boolean> {
  try {
    const response = await fetch(`${target.base}/health`, {
      headers: ownerHeaders(token),
      signal: AbortSignal.timeout(TIMEOUTS.healthMs),
    });
    await response.body?.cancel();
    return response.status === 401;
  } catch {
    return false;
  }
}

/** /health with the owner's token; undefined when it does not answer or refuses the token. */
export async function fetchHealth(
  target: Target,
  token: string | undefined,
  timeoutMs: number = TIMEOUTS.healthMs,
): Promise<Health | undefined> {
  try {
    const response = await fetch(`${target.base}/health`, {
      headers: ownerHeaders(token),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as unknown;
    return body && typeof body === 'object' ? (body as Health) : undefined;
  } catch {
    return undefined;
  }
}

export const readToken = readServerToken;

/**
 * The owner's token, to be sent to the server on the configured port, unless another user's
 * program listens there: it would get the token and could use it once the real server is back.
 */
export function tokenForServer(config: Config): string | undefined {
  const port = targetOf(config).port;
  const uid = foreignListener(port);
  if (uid !== undefined) {
    throw new DaemonError(
      `Port ${port} is held by a program of another user (uid ${uid}), not by your backlog-mcp server; ` +
        `the server token was not sent to it. Stop that program, or choose another port with BACKLOG_VIEWER_PORT.`,
    );
  }
  return readToken(config.dataDir);
}

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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(stepMs);
  }
}

/**
 * SIGTERM, then SIGKILL after a grace period, to a process proven to be our server (`startTicks`
 * from its proof: should it exit and its PID be reused meanwhile, the newcomer is left alone).
 * Resolves once the process is gone (or could not be killed).
 */
async function killProcess(pid: number, startTicks: number, graceMs: number = TIMEOUTS.killGraceMs): Promise<boolean> {
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
function provenServer(config: Config, target: Target): { pid: number; startTicks: number } | { refusal: string } {
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

function unprovenMessage(config: Config, target: Target, situation: string, reason: string): string {
  return (
    `${situation} and cannot be proven to be the backlog-mcp server for ${config.dataDir} (${reason}), ` +
    `so nothing was killed. Stop the program on port ${target.port}, or choose another port with BACKLOG_VIEWER_PORT.`
  );
}

async function waitForPortFree(target: Target, timeoutMs: number): Promise<boolean> {
  return waitUntil(async () => (await probe(target, 500)).state === 'free', timeoutMs, 100);
}

function portTakenMessage(target: Target, detail: string): string {
  return (
    `Port ${target.port} is in use by another program that is not a backlog-mcp server (${detail}). ` +
    `Stop that program, or choose another port with BACKLOG_VIEWER_PORT (for example BACKLOG_VIEWER_PORT=${target.port + 1}).`
  );
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
  return fileURLToPath(new URL('./index.js', import.meta.url));
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

/**
 * While a newer CLI replaces the server, the port is briefly free; an older bridge that notices its
 * server gone must not start its own older one in that gap (they would replace each other). The
 * replacing CLI leaves a short-lived note, `<data>/.state/server.handover`, that older ones respect.
 */
const HANDOVER_MS = 15_000;

function handoverPath(dataDir: string): string {
  return join(serverStateFiles(dataDir).dir, 'server.handover');
}

function writeHandover(dataDir: string, version: string): void {
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

function clearHandover(dataDir: string): void {
  try {
    const note = JSON.parse(readFileSync(handoverPath(dataDir), 'utf8')) as { pid?: unknown };
    if (note.pid === process.pid) unlinkSync(handoverPath(dataDir));
  } catch {
    // none, or not ours
  }
}

/** Waits (bounded) for a newer CLI's server when a handover note says one is coming. True if it came. */
async function awaitNewerHandover(
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
