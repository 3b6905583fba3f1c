import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Item } from '@backlog-mcp/shared';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickImporter } from '../src/adapters/import/registry.js';
import type { ImportReport } from '../src/core/import/apply.js';
import type { ImportBatch } from '../src/core/import/imported-item.js';
import { openBacklogForReading } from '../src/runtime/node/backlog.js';
import { freePort, runCli } from './support/cli.js';
import { snapshotFiles } from './support/files.js';
import { authHeaders, call, connectHttp, removeDir, startHttpServer, tempDataDir } from './support/servers.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'import');

interface Source {
  name: string;
  /** Relative to the fixtures folder: what a user passes to `import`. */
  path: string;
  system: string;
  /** Breaks a copy of the source the way a bad merge or a crash would; returns the file broken. */
  corrupt(copy: string): Promise<string>;
}

/** Appends an unterminated YAML flow sequence to the front matter of the first Markdown file under `dir`. */
async function breakFirstMarkdown(dir: string): Promise<string> {
  const files = (await readdir(dir, { recursive: true }))
    .map(String)
    .filter((f) => f.endsWith('.md') && !f.endsWith('README.md'));
  const file = join(dir, files.sort()[0] as string);
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace(/^---\n/, '---\nlabels: [unclosed, \n'));
  return file;
}

/** Cuts a JSON (or JSONL) file in the middle of its second record. */
async function truncateJson(file: string): Promise<string> {
  const text = await readFile(file, 'utf8');
  await writeFile(file, `${text.slice(0, Math.floor(text.length / 2))}{"oops": \n`);
  return file;
}

const SOURCES: Source[] = [
  { name: 'Backlog.md', path: 'backlog-md', system: 'backlog.md', corrupt: breakFirstMarkdown },
  { name: 'beads', path: 'beads', system: 'beads', corrupt: (d) => truncateJson(join(d, '.beads', 'issues.jsonl')) },
  {
    name: 'Task Master',
    path: 'taskmaster',
    system: 'taskmaster',
    corrupt: (d) => truncateJson(join(d, '.taskmaster', 'tasks', 'tasks.json')),
  },
  { name: 'GitHub issues', path: 'github/issues.json', system: 'github', corrupt: truncateJson },
  { name: 'backlog-mcp 0.4x folder', path: 'backlog-mcp-04x', system: 'backlog-mcp', corrupt: breakFirstMarkdown },
  { name: 'backlog-mcp docs folder', path: 'backlog-mcp-docs', system: 'backlog-mcp', corrupt: breakFirstMarkdown },
];

const countBy = <T>(values: readonly T[], key: (v: T) => string) =>
  values.reduce<Record<string, number>>((out, v) => {
    out[key(v)] = (out[key(v)] ?? 0) + 1;
    return out;
  }, {});

async function itemsIn(dataDir: string): Promise<readonly Item[]> {
  const reader = await openBacklogForReading(dataDir, () => undefined);
  try {
    return await reader.backlog.allItems();
  } finally {
    await reader.close();
  }
}

// Each source as a user runs it: the built CLI, no server (a port nobody listens on), a fresh backlog.
describe.each(SOURCES)('backlog-mcp import from $name', (source) => {
  let dataDir: string;
  let port: number;
  let batch: ImportBatch;
  let report: ImportReport;
  const sourcePath = join(FIXTURES, source.path);
  const cli = (args: string[], dir = dataDir) => runCli(args, { dataDir: dir, port });

  beforeAll(async () => {
    dataDir = await tempDataDir();
    port = await freePort();
    const importer = await pickImporter(sourcePath);
    if (!importer) throw new Error(`no importer recognises ${sourcePath}`);
    expect(importer.system).toBe(source.system);
    batch = await importer.read(sourcePath);
    const run = await cli(['import', sourcePath, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    report = JSON.parse(run.stdout) as ImportReport;
  });

  afterAll(async () => {
    if (dataDir) await removeDir(dataDir);
  });

  it('creates one item per source item, with the same counts by status and type', async () => {
    expect(report.created).toHaveLength(batch.items.length);
    const items = await itemsIn(dataDir);
    expect(items).toHaveLength(batch.items.length);
    expect(countBy(items, (i) => i.status)).toEqual(countBy(batch.items, (i) => i.status));
    expect(countBy(items, (i) => i.type)).toEqual(countBy(batch.items, (i) => i.type));
  });

  it('rewrites dependencies and parents to the new IDs and keeps creation times', async () => {
    const idOf = new Map(report.created.map((c) => [c.source_id, c.id]));
    const byId = new Map((await itemsIn(dataDir)).map((i) => [i.id, i]));
    let links = 0;
    for (const imported of batch.items) {
      const item = byId.get(idOf.get(imported.source.id) as string) as Item;
      const wanted = (imported.blocked_by ?? []).map((b) => idOf.get(b)).filter(Boolean);
      expect(item.blocked_by ?? []).toEqual(expect.arrayContaining(wanted));
      if (imported.parent && idOf.has(imported.parent)) expect(item.parent_id).toBe(idOf.get(imported.parent));
      if (imported.epic && idOf.has(imported.epic)) expect(item.epic_id).toBe(idOf.get(imported.epic));
      if (imported.created_at) expect(Date.parse(item.created_at)).toBe(Date.parse(imported.created_at));
      expect(item.extra?.source).toMatchObject({ system: source.system, id: imported.source.id });
      links += wanted.length + (imported.parent ? 1 : 0) + (imported.epic ? 1 : 0);
    }
    // Every fixture holds at least a dependency or a parent to map.
    expect(links).toBeGreaterThan(0);
  });

  it('updates nothing and duplicates nothing when the same source is imported again', async () => {
    const before = await snapshotFiles(dataDir);
    const again = await cli(['import', sourcePath, '--json']);
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout) as ImportReport;
    expect([second.created.length, second.updated.length, second.unchanged]).toEqual([0, 0, batch.items.length]);
    expect(await snapshotFiles(dataDir)).toEqual(before);
  });

  it('writes nothing on --dry-run, and says what it would do', async () => {
    const empty = await tempDataDir();
    try {
      const dry = await cli(['import', sourcePath, '--dry-run'], empty);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain(`${batch.items.length} new`);
      expect(dry.stdout).toContain('Nothing was written');
      const left = await readdir(join(empty, 'tasks')).catch(() => []);
      expect(left).toEqual([]);
    } finally {
      await removeDir(empty);
    }
  });

  it('names the broken file and leaves the backlog as it was when the source does not parse', async () => {
    const copyRoot = await tempDataDir();
    try {
      const copy = join(copyRoot, 'src');
      await mkdir(copy, { recursive: true });
      await cp(sourcePath, join(copy, source.path.split('/').at(-1) as string), { recursive: true });
      const copied = join(copy, source.path.split('/').at(-1) as string);
      const broken = await source.corrupt(copied);
      const before = await snapshotFiles(dataDir);
      const run = await cli(['import', copied]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(broken);
      expect(await snapshotFiles(dataDir)).toEqual(before);
    } finally {
      await rm(copyRoot, { recursive: true, force: true });
    }
  });
});

// The import as a user with agents running makes it: a server has the backlog open, so the CLI
// hands it the batch, and agents and the viewer see the items at once, journalled as one actor.
describe('backlog-mcp import through a running server', () => {
  let dataDir: string;
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let agent: Client;

  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startHttpServer(dataDir);
    agent = await connectHttp(server.url, 'watching-agent');
  });

  afterAll(async () => {
    await agent?.close().catch(() => undefined);
    await server?.stop();
    if (dataDir) await removeDir(dataDir);
  });

  it('takes a batch only with the owner token, and refuses a bad one by item and field before writing', async () => {
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${server.url}/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const item = { source: { system: 'beads', id: 'bd-1' }, type: 'task', title: 'x', status: 'open', description: '' };
    const batch = { system: 'beads', label: 'test', items: [item], warnings: [] };
    expect((await post({}, { batch })).status).toBe(401);
    const bad = await post(authHeaders(server.url), { batch: { ...batch, items: [{ ...item, status: 'later' }] } });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string; field: string };
    expect(body.error).toContain('items[0] (bd-1).status');
    expect(body.field).toBe('batch');
    const listed = await call<{ total: number }>(agent, 'backlog_list', { status: ['open'] });
    expect(listed.total).toBe(0);
  });

  it('shows the imported items to a connected agent at once and journals them as import:beads', async () => {
    const port = Number(new URL(server.url).port);
    const run = await runCli(['import', join(FIXTURES, 'beads'), '--json'], { dataDir, port });
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as ImportReport;
    expect(report.created.length).toBeGreaterThan(0);
    const listed = await call<{ items: { id: string }[]; total: number }>(agent, 'backlog_list', {
      status: ['open', 'in_progress', 'blocked', 'done', 'cancelled'],
      limit: 1000,
    });
    expect(listed.items.map((i) => i.id).sort()).toEqual(report.created.map((c) => c.id).sort());
    const found = await call<{ results: { id: string }[] }>(agent, 'backlog_search', {
      query: report.created[0]?.title ?? '',
    });
    expect(found.results.map((i) => i.id)).toContain(report.created[0]?.id);
    const activity = (await (
      await fetch(`${server.url}/api/activity?limit=1000`, { headers: authHeaders(server.url) })
    ).json()) as {
      entries: { actor?: string; action: string; id?: string }[];
    };
    const created = activity.entries.filter((e) => e.action === 'created');
    expect(created).toHaveLength(report.created.length);
    expect(new Set(created.map((e) => e.actor))).toEqual(new Set(['import:beads']));
  });
});

describe('backlog-mcp import, all or nothing', () => {
  it('writes none of a source when one of its items cannot be stored, and names that item', async () => {
    const dataDir = await tempDataDir();
    const sourceDir = await tempDataDir();
    try {
      const port = await freePort();
      await mkdir(join(sourceDir, '.beads'), { recursive: true });
      const line = (id: string, description: string) =>
        JSON.stringify({ id, title: `Issue ${id}`, description, status: 'open', priority: 2, issue_type: 'task' });
      const good = Array.from({ length: 30 }, (_, i) => line(`bd-${i + 1}`, 'fine'));
      // Git's conflict markers in a body: a file holding them would not load, so the store refuses it.
      const bad = line('bd-99', 'a\n<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n');
      await writeFile(join(sourceDir, '.beads', 'issues.jsonl'), `${[...good, bad].join('\n')}\n`);
      const run = await runCli(['import', sourceDir], { dataDir, port });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('bd-99');
      expect(run.stderr).toContain('Nothing was imported');
      expect(await readdir(join(dataDir, 'tasks')).catch(() => [])).toEqual([]);
    } finally {
      await removeDir(dataDir);
      await removeDir(sourceDir);
    }
  });
});
