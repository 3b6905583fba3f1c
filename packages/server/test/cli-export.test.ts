import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Item } from '@backlog-mcp/shared';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '../src/core/import/apply.js';
import { freePort, runCli } from './support/cli.js';
import { call, connectHttp, removeDir, startHttpServer, tempDataDir } from './support/servers.js';

interface Exported {
  format: string;
  version: number;
  items: Item[];
}

/** What must survive export → import → export: everything but the version counter and the import's own mark. */
function comparable(items: readonly Item[]): unknown[] {
  return items.map(({ version: _version, extra, ...rest }) => {
    const { source: _source, ...kept } = extra ?? {};
    return Object.keys(kept).length ? { ...rest, extra: kept } : rest;
  });
}

// A backlog written over MCP as agents write it (every field used, a claim, a file with front
// matter we do not know), exported, imported into an empty backlog, exported again.
describe('backlog-mcp export, and import of what it wrote', () => {
  let dataDir: string;
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let agent: Client;
  let port: number;
  const dirs: string[] = [];
  const fresh = async () => {
    const dir = await tempDataDir();
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    dataDir = await tempDataDir();
    port = await freePort();
    await mkdir(join(dataDir, 'tasks'), { recursive: true });
    await writeFile(
      join(dataDir, 'tasks', 'TASK-0001.md'),
      '---\nid: TASK-0001\ntitle: Hand-written, with a key we do not know\nstatus: open\ntype: task\nsprint: 7\ncustom:\n  owner: ops\ncreated_at: 2025-03-01T10:00:00.000Z\nupdated_at: 2025-03-02T10:00:00.000Z\n---\nBody *as written*.\n',
    );
    server = await startHttpServer(dataDir);
    agent = await connectHttp(server.url, 'export-agent');
    const create = async (args: Record<string, unknown>) =>
      (await call<{ id: string }>(agent, 'backlog_create', args)).id;
    const milestone = await create({ title: '=SUM(A1) v1, "quoted"', type: 'milestone', due_date: '2026-12-24' });
    const epic = await create({ title: 'Checkout', type: 'epic', description: '## Goal\n\nPay.' });
    const schema = await create({
      title: 'Schema',
      epic_id: epic,
      parent_id: milestone,
      labels: ['db', 'backend'],
      priority: 'high',
    });
    const api = await create({
      title: 'API',
      epic_id: epic,
      blocked_by: [schema],
      references: [{ url: 'https://example.com/spec', title: 'Spec' }],
    });
    await call(agent, 'backlog_update', { id: schema, status: 'done', evidence: ['merged #4'] });
    await call(agent, 'backlog_update', { id: api, claim: true });
    await create({ title: 'Notes', type: 'artifact', parent_id: milestone, description: 'Line one\nline, two' });
    await server.stop();
  });

  afterAll(async () => {
    await agent?.close().catch(() => undefined);
    await server?.stop();
    for (const dir of [dataDir, ...dirs]) if (dir) await removeDir(dir);
  });

  for (const format of ['json', 'jsonl'] as const) {
    it(`round-trips every field through ${format}: export, import into an empty backlog, export again`, async () => {
      const out = join(await fresh(), `export.${format}`);
      const first = await runCli(['export', '--format', format, '--output', out], { dataDir, port });
      expect(first.code).toBe(0);
      const target = await fresh();
      const imported = await runCli(['import', out, '--json'], { dataDir: target, port });
      expect(imported.stderr).toBe('');
      const report = JSON.parse(imported.stdout) as ImportReport;
      expect(report.system).toBe('backlog-mcp');
      // An empty backlog keeps every ID.
      expect(report.created.map((c) => c.id)).toEqual(report.created.map((c) => c.source_id));
      const second = await runCli(['export', '--format', 'json'], { dataDir: target, port });
      const original = await runCli(['export', '--format', 'json'], { dataDir, port });
      const a = JSON.parse(original.stdout) as Exported;
      const b = JSON.parse(second.stdout) as Exported;
      expect(a.items).toHaveLength(6);
      expect(comparable(b.items)).toEqual(comparable(a.items));
      expect(b.items.find((i) => i.id === 'TASK-0001')?.extra).toMatchObject({ sprint: 7, custom: { owner: 'ops' } });
    });
  }

  it('writes a CSV a spreadsheet opens safely, and a Markdown document grouped by milestone and epic', async () => {
    const csv = await runCli(['export', '--format', 'csv'], { dataDir, port });
    expect(csv.code).toBe(0);
    const [header, ...rows] = csv.stdout.trimEnd().split('\r\n');
    expect(header?.split(',').slice(0, 4)).toEqual(['id', 'type', 'status', 'title']);
    // The milestone's title starts with a formula and holds quotes and a comma: defused, quoted, doubled.
    expect(csv.stdout).toContain(`"'=SUM(A1) v1, ""quoted"""`);
    expect(csv.stdout).not.toMatch(/(^|,)"?=SUM/m);
    // Rows end in CRLF; the two-line bodies keep their bare LF inside one quoted field each.
    expect(rows.length).toBe(6);
    const md = await runCli(['export', '--format', 'markdown'], { dataDir, port });
    const text = md.stdout;
    expect(text.indexOf('## Milestone MLST-0001')).toBeLessThan(text.indexOf('### TASK-0002: Schema'));
    expect(text.indexOf('## Epic EPIC-0001')).toBeLessThan(text.indexOf('### TASK-0003: API'));
    expect(text).toContain('waits on TASK-0002');
  });

  it('refuses an unknown format by name, and writes no partial file', async () => {
    const out = join(await fresh(), 'x.xml');
    const bad = await runCli(['export', '--format', 'xml', '--output', out], { dataDir, port });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format: expected one of json, jsonl, csv, markdown, received "xml"');
    await expect(readFile(out, 'utf8')).rejects.toThrow();
  });
});
