import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliEnv, freePort, killServers, runCli, serveForeground } from './support/cli.js';
import { HANG } from './support/limits.js';
import { removeDir, tempDataDir } from './support/servers.js';

let env: CliEnv;
const children: ChildProcess[] = [];

beforeEach(async () => {
  env = { dataDir: await tempDataDir(), port: await freePort() };
});

afterEach(async () => {
  const pids = children.splice(0).flatMap((child) => (child.pid && child.exitCode === null ? [child.pid] : []));
  await killServers(env.dataDir, pids);
  await removeDir(env.dataDir);
});

const serve = (): Promise<ChildProcess> => serveForeground(env, (child) => children.push(child));

async function cli(args: string[], extra: Record<string, string> = {}) {
  return runCli(args, { ...env, extra }, { timeoutMs: HANG.process });
}

async function itemFile(id: string): Promise<string> {
  return readFile(join(env.dataDir, 'tasks', `${id}.md`), 'utf8');
}

describe.each(['in process', 'through the running server'])('claims and fields from the CLI, %s', (mode) => {
  beforeEach(async () => {
    if (mode !== 'in process') await serve();
  });

  it('releases a claim taken by an earlier command, under a stable name', async () => {
    expect((await cli(['create', 'Claim me'])).code).toBe(0);
    const claimed = await cli(['update', 'TASK-0001', '--claim', '--json']);
    expect(claimed.code).toBe(0);
    const holder = (JSON.parse(claimed.stdout) as { item: { assignee: string } }).item.assignee;
    expect(holder).toMatch(/^[^#]+@[^#]+$/); // user@host, no per-call tag
    const released = await cli(['update', 'TASK-0001', '--release']);
    expect(released).toMatchObject({ code: 0 });
    expect(await itemFile('TASK-0001')).not.toContain('assignee');
    // BACKLOG_ACTOR_NAME names the CLI instead, and a claim under one name is guarded from another.
    await cli(['update', 'TASK-0001', '--claim'], { BACKLOG_ACTOR_NAME: 'ci-bot' });
    expect(await itemFile('TASK-0001')).toContain('assignee: ci-bot');
    const refused = await cli(['update', 'TASK-0001', '--status', 'done']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/held by ci-bot until .*force=true/);
    const finished = await cli(['update', 'TASK-0001', '--status', 'done'], { BACKLOG_ACTOR_NAME: 'ci-bot' });
    expect(finished.code).toBe(0);
    expect(finished.stdout).not.toMatch(/undefined|held by/);
  });

  it('sets and clears priority, blocked_by and labels', async () => {
    await cli(['create', 'Blocker']);
    await cli(['create', 'Blocked', '--labels', 'UI,bug']);
    const set = await cli(['update', 'TASK-0002', '--priority', 'high', '--blocked-by', 'TASK-0001', '--json']);
    expect(set.code).toBe(0);
    expect((JSON.parse(set.stdout) as { changed: string[] }).changed).toEqual(['priority', 'blocked_by']);
    const labelled = await cli(['update', 'TASK-0002', '--add-labels', 'perf', '--remove-labels', 'bug']);
    expect(labelled.stdout).toContain('labels');
    expect(await itemFile('TASK-0002')).toMatch(/labels:\n {2}- ui\n {2}- perf\n/);
    const listed = await cli(['list', '--labels', 'perf,ui']);
    expect(listed.stdout).toContain('TASK-0002');
    expect(listed.stdout).not.toContain('TASK-0001');
    const cleared = await cli(['update', 'TASK-0002', '--clear', 'priority,blocked-by,labels', '--json']);
    expect((JSON.parse(cleared.stdout) as { changed: string[] }).changed).toEqual(['priority', 'labels', 'blocked_by']);
    expect(await itemFile('TASK-0002')).not.toMatch(/priority|blocked_by|labels/);
  });
});
