import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliEnv, runCli } from './support/cli.js';
import { HANG } from './support/limits.js';
import { call, connectHttp, removeDir, startHttpServer, tempDataDir } from './support/servers.js';

/**
 * The session briefing through every door a client has: the MCP resource and prompt (two agents
 * filling one backlog over Streamable HTTP), the CLI with and without a server, and the Claude
 * Code / Codex SessionStart hook output.
 */

const DAY = 24 * 60 * 60 * 1000;
const encoder = new TextEncoder();
/** Minutes move while a test runs: compare texts with the clock-dependent figures masked. */
const steady = (text: string) => text.replace(/\d+ min/g, 'N min').replace(/just now/g, 'N min ago');

let dataDir: string;
let server: Awaited<ReturnType<typeof startHttpServer>>;
let a: Client;
let b: Client;
const ids: Record<string, string> = {};

async function create(client: Client, args: Record<string, unknown>): Promise<string> {
  return (await call<{ id: string }>(client, 'backlog_create', args)).id;
}

function cliEnv(): CliEnv {
  return { dataDir, port: Number(new URL(server.url).port), extra: { BACKLOG_SEARCH: 'text' } };
}

beforeAll(async () => {
  dataDir = await tempDataDir();
  server = await startHttpServer(dataDir, { BACKLOG_SEARCH: 'text' });
  a = await connectHttp(server.url, 'agent-a');
  b = await connectHttp(server.url, 'agent-b');
  const due = new Date(Date.now() + 5 * DAY).toISOString().slice(0, 10);
  ids.milestone = await create(a, { title: 'Beta release', type: 'milestone', due_date: due });
  ids.mine = await create(a, { title: 'Login form', parent_id: ids.milestone });
  await call(a, 'backlog_update', { id: ids.mine, claim: true });
  ids.urgent = await create(a, { title: 'CSV export', priority: 'high' });
  ids.blocker = await create(a, { title: 'Schema migration' });
  ids.waiting = await create(a, { title: 'Deploy', blocked_by: [ids.blocker] });
  for (let i = 1; i <= 8; i++) await create(a, { title: `Chore ${i}`, priority: i % 3 === 0 ? 'low' : 'medium' });
  // Agent B works after A's last action: its claim and its finished item are news to A.
  ids.theirs = await create(b, { title: 'Rate limiter', parent_id: ids.milestone });
  await call(b, 'backlog_update', { id: ids.theirs, claim: true });
  ids.finished = await create(b, { title: 'Write docs', parent_id: ids.milestone });
  await call(b, 'backlog_update', { id: ids.finished, status: 'done' });
}, HANG.process * 2);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await server?.stop();
  if (dataDir) await removeDir(dataDir);
});

async function resourceText(client: Client): Promise<string> {
  const read = await client.readResource({ uri: 'mcp://backlog/briefing' });
  const content = read.contents[0] as { text?: string };
  return content.text ?? '';
}

describe('the briefing for agent A', () => {
  it('names A’s claim, B’s work, ready work in backlog_list order, a blocker, news and the milestone', async () => {
    const text = await resourceText(a);
    expect(text).toMatch(/^Backlog briefing for agent-a: 15 items/);
    expect(text).toMatch(new RegExp(`Yours \\(agent-a\\):\\n- ${ids.mine} Login form \\[lease \\d+ min left\\]`));
    expect(text).toMatch(
      new RegExp(`In progress by others:\\n- ${ids.theirs} Rate limiter \\[agent-b#[0-9a-f]+, lease`),
    );
    const ready = (await call<{ items: Array<{ id: string }> }>(a, 'backlog_list', { ready: true, limit: 100 })).items;
    const shown = [...text.matchAll(/^- (TASK-\d+)/gm)].map((m) => m[1]);
    const readyBlock = text.slice(text.indexOf('Ready, in pick order:'), text.indexOf('\nBlocked or waiting:'));
    const readyShown = [...readyBlock.matchAll(/^- (TASK-\d+)/gm)].map((m) => m[1]);
    expect(readyShown.length).toBeGreaterThan(0);
    expect(readyShown).toEqual(ready.slice(0, readyShown.length).map((item) => item.id));
    expect(readyBlock).toContain(`- +${ready.length - readyShown.length} more ready`);
    expect(shown).toContain(ids.urgent);
    expect(text).toContain(`- ${ids.waiting} Deploy [waits on ${ids.blocker} open]`);
    expect(text).toMatch(new RegExp(`Done since your last activity \\([^)]*\\):\\n- ${ids.finished} Write docs`));
    expect(text).toContain(`- ${ids.milestone} Beta release [due in 5 days, 1/3 done]`);
    expect(encoder.encode(text).length).toBeLessThanOrEqual(2000);
  });

  it('is the same through the prompt, the resource and the CLI (text, JSON and hook output)', async () => {
    const fromResource = steady(await resourceText(a));
    const prompt = await a.getPrompt({ name: 'briefing' });
    const message = prompt.messages[0]?.content as { type: string; text: string };
    expect(steady(message.text)).toBe(fromResource);

    const cli = await runCli(['brief', '--agent', 'agent-a'], cliEnv());
    expect(cli.code).toBe(0);
    expect(steady(cli.stdout.trimEnd())).toBe(fromResource);

    const json = await runCli(['brief', '--agent', 'agent-a', '--json'], cliEnv());
    const parsed = JSON.parse(json.stdout) as { text: string; sections: { yours: { items: Array<{ id: string }> } } };
    expect(steady(parsed.text)).toBe(fromResource);
    expect(parsed.sections.yours.items.map((item) => item.id)).toEqual([ids.mine]);

    // Claude Code's (and Codex's) SessionStart contract: one JSON object on stdout, exit 0.
    const hook = await runCli(['brief', '--hook', '--agent', 'agent-a'], cliEnv(), { input: '{"source":"startup"}' });
    expect(hook.code).toBe(0);
    const output = JSON.parse(hook.stdout) as {
      hookSpecificOutput: { hookEventName: string; additionalContext: string };
    };
    expect(output.hookSpecificOutput.hookEventName).toBe('SessionStart');
    expect(steady(output.hookSpecificOutput.additionalContext)).toBe(fromResource);
  });

  it('is listed first among the resources, and the instructions say where it is', async () => {
    const listed = await a.listResources();
    expect(listed.resources[0]).toMatchObject({ uri: 'mcp://backlog/briefing' });
    expect(a.getInstructions()).toContain('mcp://backlog/briefing');
  });
});

describe('the hook never blocks a session', () => {
  it('answers valid, empty SessionStart output and exit 0 when anything goes wrong', async () => {
    const cases: Array<{ args: string[]; extra: Record<string, string> }> = [
      { args: ['brief', '--hook', '--max-bytes', 'lots'], extra: {} },
      { args: ['brief', '--hook'], extra: { BACKLOG_VIEWER_PORT: 'not-a-port' } },
    ];
    for (const broken of cases) {
      const result = await runCli(broken.args, { ...cliEnv(), extra: broken.extra });
      expect(result.code, broken.args.join(' ')).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: '' },
      });
      expect(result.stderr).toMatch(/backlog-mcp brief: /);
    }
    const usage = await runCli(['brief', '--max-bytes', 'lots'], cliEnv());
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--max-bytes: expected a whole number from 200 to 100000, received "lots"');
  });
});

describe('where the briefing comes from', () => {
  it('reads the files when the server on the port serves another folder, and never creates a backlog', async () => {
    const other = await tempDataDir();
    try {
      await mkdir(join(other, 'tasks'));
      const at = new Date().toISOString();
      await writeFile(
        join(other, 'tasks', 'TASK-0001.md'),
        `---\nid: TASK-0001\ntitle: Only in the other folder\nstatus: open\ntype: task\ncreated_at: ${at}\nupdated_at: ${at}\n---\n`,
      );
      // Same port as the running server, whose token this folder does not hold.
      const fallback = await runCli(['brief'], { ...cliEnv(), dataDir: other });
      expect(fallback.code, fallback.stderr).toBe(0);
      expect(fallback.stdout).toContain('- TASK-0001 Only in the other folder');

      const missing = join(other, 'not-yet');
      const none = await runCli(['brief'], { dataDir: missing, port: 1 }, { cwd: other });
      expect(none.code).toBe(3);
      expect(none.stderr).toContain(`no backlog at ${missing} yet`);
      await expect(stat(missing)).rejects.toThrow(/ENOENT/);
    } finally {
      await removeDir(other);
    }
  });
});

/** 10,000 items written as files, read by `brief` with no server: the ceiling holds and the rest is counted. */
describe('at 10,000 items', () => {
  let big: string;

  beforeAll(async () => {
    big = await tempDataDir();
    await mkdir(join(big, 'tasks'), { recursive: true });
    const now = Date.now();
    const lease = new Date(now + 20 * 60_000).toISOString();
    const writes: Promise<void>[] = [];
    for (let i = 1; i <= 10_000; i++) {
      const id = `TASK-${String(i).padStart(4, '0')}`;
      const status = ['open', 'open', 'in_progress', 'blocked', 'done'][i % 5] as string;
      const at = new Date(now - (10_000 - i) * 60_000).toISOString();
      const claim = status === 'in_progress' ? `assignee: agent-${i % 7}\nlease_until: ${lease}\n` : '';
      const blocked = status === 'blocked' ? `blocked_by:\n  - TASK-${String(i - 1).padStart(4, '0')}\n` : '';
      const text = `---\nid: ${id}\ntitle: Item ${i} of a large backlog\nstatus: ${status}\ntype: task\n${claim}${blocked}created_at: ${at}\nupdated_at: ${at}\n---\nBody ${i}.\n`;
      writes.push(writeFile(join(big, 'tasks', `${id}.md`), text));
    }
    await Promise.all(writes);
  }, HANG.process * 2);

  afterAll(async () => {
    if (big) await removeDir(big);
  });

  it('keeps the text under the default and an explicit ceiling, and counts what did not fit', async () => {
    const env: CliEnv = { dataDir: big, port: 1, extra: { BACKLOG_SEARCH: 'text' } };
    for (const [args, ceiling] of [
      [['brief', '--agent', 'agent-3', '--json'], 2000],
      [['brief', '--agent', 'agent-3', '--json', '--max-bytes', '700'], 700],
    ] as const) {
      const result = await runCli([...args], env, { timeoutMs: HANG.process });
      expect(result.code, result.stderr).toBe(0);
      const briefing = JSON.parse(result.stdout) as {
        text: string;
        bytes: number;
        sections: Record<string, { total: number; more: number }>;
      };
      expect(encoder.encode(briefing.text).length).toBeLessThanOrEqual(ceiling);
      expect(briefing.sections.ready?.total).toBeGreaterThan(1000);
      expect(briefing.sections.ready?.more).toBeGreaterThan(1000);
      expect(briefing.text).toMatch(/^Yours \(agent-3\):$/m);
      // Under the default ceiling ready work is shown and the rest counted; under 700 bytes the
      // agent's own 286 claims come first and ready work is only counted.
      expect(briefing.text).toMatch(ceiling === 2000 ? /- \+\d+ more ready/ : /^Not shown: .*4000 ready/m);
    }
  });
});
