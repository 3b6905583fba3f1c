import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MarkdownStore } from '../src/adapters/files/file-store.js';
import { CLI, envFor, freePort, runCli } from './support/cli.js';
import { snapshotFiles } from './support/files.js';
import { call, connectHttp, removeDir, startHttpServer, tempDataDir } from './support/servers.js';
import { until } from './support/wait.js';

/**
 * An import is all or nothing, a crash included: the process is killed (SIGKILL) part-way
 * through writing its files, and the next open of the backlog undoes what it wrote.
 */

const ITEMS = 4000;
/** Updates are written one durable file at a time: fewer are enough to stop part-way. */
const UPDATES = 1500;

/** A beads export of `count` issues; `round` changes every title, so a second import updates all. */
function beadsExport(count: number, round = 1): string {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      _type: 'issue',
      id: `bd-${i + 1}`,
      title: `Imported issue ${i + 1}, round ${round}`,
      description: `Body of issue ${i + 1}.`,
      status: 'open',
      priority: 2,
      issue_type: 'task',
      created_at: '2026-01-05T09:00:00Z',
      updated_at: '2026-01-05T09:00:00Z',
    }),
  ).join('\n');
}

async function sourceFolder(round: number, count = ITEMS): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'beads-src-'));
  await mkdir(join(dir, '.beads'));
  await writeFile(join(dir, '.beads', 'issues.jsonl'), `${beadsExport(count, round)}\n`);
  return dir;
}

const itemFileNames = (dataDir: string) =>
  existsSync(join(dataDir, 'tasks')) ? readdirSync(join(dataDir, 'tasks')).filter((f) => f.endsWith('.md')) : [];
const intentLeft = (dataDir: string) => existsSync(join(dataDir, '.state', 'batch-pending.json'));

/**
 * Starts `import` in a process of its own and kills it, and `server` if given, once `cut` says the
 * import is under way (the CLI first: it would otherwise finish the import itself when the server dies).
 */
async function importKilledWhen(
  source: string,
  dataDir: string,
  port: number,
  cut: () => boolean | Promise<boolean>,
  server?: ChildProcess,
): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'import', source], {
    env: envFor({ dataDir, port }),
    cwd: dataDir,
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seen = await until(cut, Boolean);
  expect(seen, 'the import never got under way').toBe(true);
  child.kill('SIGKILL');
  await exited;
  if (server) {
    const serverExited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGKILL');
    await serverExited;
  }
}

describe('an import cut off by a crash', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await removeDir(dir);
  });

  it('leaves no item of it once the backlog opens again, and a second run imports everything', async () => {
    const dataDir = await tempDataDir();
    const source = await sourceFolder(1);
    dirs.push(dataDir, source);
    const port = await freePort(); // nobody listens: the CLI writes the files itself
    await importKilledWhen(source, dataDir, port, () => itemFileNames(dataDir).length > 0);
    const atKill = itemFileNames(dataDir).length;
    expect(atKill, 'killed after the import had written every file').toBeLessThan(ITEMS);
    expect(intentLeft(dataDir)).toBe(true);

    const server = await startHttpServer(dataDir);
    try {
      expect(server.stderr()).toMatch(
        new RegExp(`an import was cut off \\(process \\d+\\); undid its ${atKill} file write\\(s\\)`),
      );
      const client = await connectHttp(server.url, 'after-the-crash');
      const all = await call<{ items: unknown[] }>(client, 'backlog_list', {
        status: ['open', 'in_progress', 'blocked', 'done', 'cancelled'],
      });
      expect(all.items).toEqual([]);
      await client.close();
    } finally {
      await server.stop();
    }
    expect(itemFileNames(dataDir)).toEqual([]);
    expect(intentLeft(dataDir)).toBe(false);

    const again = await runCli(['import', source, '--json'], { dataDir, port });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).created).toHaveLength(ITEMS);
    expect(itemFileNames(dataDir)).toHaveLength(ITEMS);
    expect(intentLeft(dataDir)).toBe(false);
  });

  it('puts every updated file back as it was when a server is killed during a re-import', async () => {
    const dataDir = await tempDataDir();
    const first = await sourceFolder(1, UPDATES);
    const second = await sourceFolder(2, UPDATES);
    dirs.push(dataDir, first, second);
    const port = await freePort();
    expect((await runCli(['import', first], { dataDir, port })).code).toBe(0);
    const before = await snapshotFiles(dataDir);

    // The same import through a running server: the CLI sends the batch, the server writes it.
    const server = await startHttpServer(dataDir);
    const serverPort = Number(new URL(server.url).port);
    const changed = async () => {
      const now = await readFile(join(dataDir, 'tasks', 'TASK-0001.md'), 'utf8');
      return now.includes('round 2');
    };
    await importKilledWhen(second, dataDir, serverPort, changed, server.child);
    const atKill = await snapshotFiles(dataDir);
    const rewritten = Object.keys(before).filter((name) => atKill[name] !== before[name]);
    expect(rewritten.length, 'killed after every file was rewritten').toBeLessThan(UPDATES);
    expect(intentLeft(dataDir)).toBe(true);

    const store = await MarkdownStore.open({ dataDir, log: () => undefined });
    store.close();
    expect(await snapshotFiles(dataDir)).toEqual(before);
    expect(intentLeft(dataDir)).toBe(false);
  });
});

describe('undoing a cut-off import, at the next open', () => {
  const file = (dataDir: string, id: string) => join(dataDir, 'tasks', `${id}.md`);
  const text = (id: string, title: string) =>
    `---\nid: ${id}\ntitle: ${title}\nstatus: open\ntype: task\ncreated_at: 2026-01-01T00:00:00.000Z\nupdated_at: 2026-01-01T00:00:00.000Z\n---\nBody\n`;
  const sha1 = (value: string) => createHash('sha1').update(value).digest('base64');

  /** What a batch process leaves when it is killed: its intent, and the files it had written. */
  async function cutOffBatch(pid: number): Promise<string> {
    const dataDir = await tempDataDir();
    await mkdir(join(dataDir, 'tasks'), { recursive: true });
    await mkdir(join(dataDir, '.state'), { recursive: true });
    await mkdir(join(dataDir, 'resources'), { recursive: true });
    for (const id of ['TASK-0001', 'TASK-0002']) await writeFile(file(dataDir, id), text(id, `${id} before`));
    const imported = (id: string) => text(id, `${id} imported`);
    for (const id of ['TASK-0001', 'TASK-0002', 'TASK-0003', 'TASK-0004'])
      await writeFile(file(dataDir, id), imported(id));
    const intent = {
      pid,
      started_at: Date.now() - 1000,
      creates: ['TASK-0003', 'TASK-0004', 'TASK-0005'].map((id) => ({ id, hash: sha1(imported(id)) })),
      updates: ['TASK-0001', 'TASK-0002'].map((id) => ({
        id,
        hash: sha1(imported(id)),
        before: text(id, `${id} before`),
      })),
    };
    await writeFile(join(dataDir, '.state', 'batch-pending.json'), JSON.stringify(intent));
    return dataDir;
  }

  async function openAndLog(dataDir: string): Promise<string[]> {
    const lines: string[] = [];
    const store = await MarkdownStore.open({ dataDir, log: (line) => lines.push(line) });
    store.close();
    return lines;
  }

  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.once('exit', resolve));
    return child.pid as number;
  }

  it('undoes only the files that still hold what the import wrote, and names the others', async () => {
    const pid = await deadPid();
    const dataDir = await cutOffBatch(pid);
    // After the crash, before the next start: an edit by hand, and another writer's file at a new ID.
    await writeFile(file(dataDir, 'TASK-0002'), text('TASK-0002', 'edited by hand after the crash'));
    await writeFile(file(dataDir, 'TASK-0004'), text('TASK-0004', 'written by someone else'));
    expect(await openAndLog(dataDir)).toContain(
      `backlog: an import was cut off (process ${pid}); undid its 2 file write(s); TASK-0004, TASK-0002 changed since and were left as they are`,
    );
    expect(await readFile(file(dataDir, 'TASK-0001'), 'utf8')).toBe(text('TASK-0001', 'TASK-0001 before'));
    expect(await readFile(file(dataDir, 'TASK-0002'), 'utf8')).toContain('edited by hand after the crash');
    expect(existsSync(file(dataDir, 'TASK-0003'))).toBe(false);
    expect(await readFile(file(dataDir, 'TASK-0004'), 'utf8')).toContain('written by someone else');
    expect(intentLeft(dataDir)).toBe(false);
    await removeDir(dataDir);
  });

  it('never follows an intent that names anything but an item ID (a file forced into a clone’s .state/)', async () => {
    const dataDir = await tempDataDir();
    await mkdir(join(dataDir, 'tasks'), { recursive: true });
    await mkdir(join(dataDir, '.state'), { recursive: true });
    // A file beside the backlog whose text an attacker can predict, so can hash.
    const victim = join(dataDir, 'victim.md');
    await writeFile(victim, 'predictable\n');
    const intent = {
      pid: await deadPid(),
      started_at: Date.now() - 1000,
      creates: [{ id: '../victim', hash: sha1('predictable\n') }],
      updates: [{ id: '../victim', hash: sha1('predictable\n'), before: 'overwritten\n' }],
    };
    await writeFile(join(dataDir, '.state', 'batch-pending.json'), JSON.stringify(intent));
    expect(await openAndLog(dataDir)).toContain(
      `backlog: ${join(dataDir, '.state', 'batch-pending.json')} is not an import's intent as this server writes them; left as it is`,
    );
    expect(await readFile(victim, 'utf8')).toBe('predictable\n');
    await removeDir(dataDir);
  });

  it('leaves the files of an import whose process still runs', async () => {
    const dataDir = await cutOffBatch(process.ppid);
    const before = await snapshotFiles(dataDir);
    const lines = await openAndLog(dataDir);
    expect(lines).toContain(
      `backlog: an import by process ${process.ppid} is under way; its files are as it left them`,
    );
    expect(await snapshotFiles(dataDir)).toEqual(before);
    expect(intentLeft(dataDir)).toBe(true);
    await removeDir(dataDir);
  });
});
