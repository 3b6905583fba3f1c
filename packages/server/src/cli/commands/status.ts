import type { Config } from '../../config.js';
import { EXIT, fetchHealth, probe, targetOf } from '../daemon.js';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** The address people type: "localhost" for a loopback server. */
export function publicBase(config: Config): string {
  const loopback = ['127.0.0.1', 'localhost', '0.0.0.0', '::1', '::', ''].includes(config.host);
  const host = loopback ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${config.port}`;
}

/** `status`: the exact lines of SPEC §6; exit 0 when running, 1 when not. */
export async function runStatus(config: Config): Promise<number> {
  const target = targetOf(config);
  const state = await probe(target);
  if (state.state !== 'running') {
    out('Server is not running');
    if (state.state !== 'free') {
      process.stderr.write(`backlog-mcp: port ${target.port} is held by something else (${state.detail})\n`);
    }
    return EXIT.notRunning;
  }
  const health = await fetchHealth(target);
  const base = publicBase(config);
  out(`Server is running on port ${target.port}`);
  out(`Version: ${state.version}`);
  out(`Data directory: ${health?.data_dir ?? 'unknown'}`);
  out(`Task count: ${health?.task_count ?? 'unknown'}`);
  out(`Uptime: ${health?.uptime_seconds ?? '?'}s`);
  out(`Viewer: ${base}/`);
  out(`MCP endpoint: ${base}/mcp`);
  return EXIT.ok;
}
