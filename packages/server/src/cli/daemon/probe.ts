import type { Config } from '../../runtime/node/config.js';
import { parseVersion } from '../semver.js';

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

export function errorCode(error: unknown): string | undefined {
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
