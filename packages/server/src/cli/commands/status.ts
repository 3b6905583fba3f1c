import { realpathSync } from 'node:fs';
import type { Config } from '../../runtime/node/config.js';
import {
  EXIT,
  fetchHealth,
  type Health,
  probe,
  refusedTokenMessage,
  refusesToken,
  targetOf,
  tokenForServer,
} from '../daemon.js';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** The address people type: "localhost" for a loopback server. */
export function publicBase(config: Config): string {
  const loopback = ['127.0.0.1', 'localhost', '0.0.0.0', '::1', '::', ''].includes(config.host);
  const host = loopback ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${config.port}`;
}

/** The viewer's sign-in link: it trades the token for a cookie and drops it from the address bar. */
export function viewerLink(base: string, token: string | undefined): string {
  return token ? `${base}/?token=${token}` : `${base}/`;
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
  const token = tokenForServer(config);
  const health = await fetchHealth(target, token);
  const base = publicBase(config);
  if (await refusesToken(target, token))
    process.stderr.write(`backlog-mcp: ${refusedTokenMessage(config, target.port)}\n`);
  out(`Server is running on port ${target.port}`);
  out(`Version: ${state.version}`);
  out(`Data directory: ${health?.data_dir ?? 'unknown'}`);
  out(
    `Task count: ${health?.ready === false ? 'loading (the search index is being built)' : (health?.task_count ?? 'unknown')}`,
  );
  out(`Uptime: ${health?.uptime_seconds ?? '?'}s`);
  out(`Viewer: ${viewerLink(base, health ? token : undefined)}`);
  out(`MCP endpoint: ${base}/mcp`);
  const search = searchLine(health);
  if (search) out(search);
  const backlogs = backlogsOf(health);
  if (backlogs.length > 0) {
    out(`Backlogs (${backlogs.length}):`);
    for (const line of backlogLines(backlogs, canonical(config.backlogDir))) out(line);
  }
  return EXIT.ok;
}

/** "Search: deep (sentence encoder ready, 120 items waiting)": says when paraphrase search is not at full strength. */
export function searchLine(health: Health | undefined): string | undefined {
  const mode = typeof health?.search_mode === 'string' ? health.search_mode : undefined;
  if (!mode) return undefined;
  const semantic = health?.semantic as { encoder?: string; pending?: number } | undefined;
  if (!semantic?.encoder) return `Search: ${mode}`;
  const waiting = semantic.pending ? `, ${semantic.pending} item${semantic.pending === 1 ? '' : 's'} waiting` : '';
  return `Search: ${mode} (sentence encoder ${semantic.encoder}${waiting})`;
}

function canonical(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

interface BacklogRow {
  dir: string;
  project: string;
  global?: boolean;
  open?: boolean;
  sessions?: number;
  streams?: number;
  counts?: { total?: number; by_status?: Record<string, number> };
}

function backlogsOf(health: Health | undefined): BacklogRow[] {
  const list = health?.backlogs;
  return Array.isArray(list) ? list.filter((row): row is BacklogRow => typeof row?.dir === 'string') : [];
}

/** One line per backlog: its project path, item counts, who uses it; `*` marks the current folder's. */
export function backlogLines(rows: readonly BacklogRow[], current: string): string[] {
  return rows.map((row) => {
    const total = row.counts?.total;
    const active = ['open', 'in_progress', 'blocked'].reduce((sum, s) => sum + (row.counts?.by_status?.[s] ?? 0), 0);
    const items = total === undefined ? 'items unknown' : `${total} item${total === 1 ? '' : 's'}, ${active} active`;
    const use = row.open
      ? `open, ${row.sessions ?? 0} session${row.sessions === 1 ? '' : 's'}${row.streams ? `, ${row.streams} viewer stream${row.streams === 1 ? '' : 's'}` : ''}`
      : 'closed';
    const mark = row.dir === current ? '*' : ' ';
    return `${mark} ${row.project}${row.global ? ' (global)' : ''}: ${items}; ${use}`;
  });
}
