import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Bridge,
  CLI,
  type CliEnv,
  connectBridge,
  envAuth,
  envFor,
  freePort,
  isAlive,
  killServers,
  median,
  runCli,
  serverPid,
  serverProcesses,
} from './support/cli.js';
import { call, removeDir, tempDataDir } from './support/servers.js';
import { waitFor } from './support/wait.js';

/** The default command against real detached servers, real ports and temporary data folders. */
describe('the stdio bridge and its shared server', () => {
  let env: CliEnv;
  const bridges: Bridge[] = [];
  const pids = new Set<number>();

  beforeEach(async () => {
    env = { dataDir: await tempDataDir(), port: await freePort() };
  });

  afterEach(async () => {
    for (const bridge of bridges.splice(0)) await bridge.close();
    for (const pid of serverProcesses(env.dataDir)) pids.add(pid);
    await killServers(env.dataDir, pids);
    pids.clear();
    await removeDir(env.dataDir);
  });

  async function bridge(extra?: Record<string, string>, name?: string): Promise<Bridge> {
    const b = await connectBridge({ ...env, ...(extra ? { extra } : {}) }, name);
    bridges.push(b);
    const pid = serverPid(env.dataDir);
    if (pid) pids.add(pid);
    return b;
  }

  const version = async (): Promise<string> =>
    (await fetch(`http://127.0.0.1:${env.port}/version`).then((r) => r.text())).trim();

  it('two clients through two bridges started at the same moment share one server', async () => {
    const [a, b] = await Promise.all([bridge(undefined, 'agent-a'), bridge(undefined, 'agent-b')]);
    const created = await call<{ id: string }>(a.client, 'backlog_create', { title: 'Shared through the bridge' });
    const listed = await call<{ items: Array<{ id: string }> }>(b.client, 'backlog_list', {});
    expect(listed.items.map((item) => item.id)).toContain(created.id);
    // The loser of the port race exits; exactly one server remains, and it is the one in the PID file.
    await waitFor(() => serverProcesses(env.dataDir).length === 1, undefined, 'a single server');
    expect(serverProcesses(env.dataDir)).toEqual([serverPid(env.dataDir)]);
    const health = (await fetch(`http://127.0.0.1:${env.port}/health`, { headers: envAuth(env) }).then((r) =>
      r.json(),
    )) as {
      sessions: number;
      pid: number;
    };
    expect(health.sessions).toBeGreaterThanOrEqual(2);
    expect(health.pid).toBe(serverPid(env.dataDir));
    // Notifications and server-initiated traffic aside, stdout carried only protocol messages: the client parsed all.
    expect(a.stderr()).toMatch(/server .* on port \d+ \((started|reused)\)/);
  });

  it('forwards raw JSON-RPC both ways, errors included, even from a client that pipelines', async () => {
    const child = spawn(process.execPath, [CLI], { env: envFor(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const send = (message: object): void => {
      child.stdin.write(`${JSON.stringify(message)}\n`);
    };
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'backlog_list', arguments: {} } });
    send({ jsonrpc: '2.0', id: 3, method: 'no/such/method', params: {} });
    send({ jsonrpc: '2.0', id: 'four', method: 'ping' });
    send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 99 } });
    const lines = await waitFor(
      () => {
        const complete = stdout.split('\n').filter(Boolean);
        return complete.length >= 4 ? complete : undefined;
      },
      undefined,
      'four answers',
    );
    const pid = serverPid(env.dataDir);
    if (pid) pids.add(pid);
    const answers = new Map(lines.map((line) => JSON.parse(line) as { id: unknown }).map((m) => [m.id, m]));
    expect(answers.get(1)).toMatchObject({ result: { serverInfo: { name: 'backlog-mcp' } } });
    expect(answers.get(2)).toMatchObject({ result: { structuredContent: { items: [] } } });
    expect(answers.get(3)).toMatchObject({ error: { code: -32601 } });
    expect(answers.get('four')).toMatchObject({ result: {} });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end(); // the client goes away: the bridge exits, the server stays
    expect(await exited).toBe(0);
    expect(isAlive(pid as number)).toBe(true);
  });

  it('junk on stdin costs one short stderr line per line, and the session carries on', async () => {
    // `echo hello | backlog-mcp`: one line about it, no validation dump.
    const echoed = await runCli([], env, { input: 'hello\n' });
    const pid = serverPid(env.dataDir);
    if (pid) pids.add(pid);
    expect(echoed.code).toBe(0);
    expect(echoed.stderr).toContain(
      'backlog-mcp: stdin: ignored a line that is not JSON (Unexpected token \'h\', "hello" is not valid JSON)\n',
    );
    expect(echoed.stderr.trimEnd().split('\n').length).toBeLessThanOrEqual(3); // started/reused, bridge, that line

    const child = spawn(process.execPath, [CLI], { env: envFor(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const line = (text: string): void => {
      child.stdin.write(`${text}\n`);
    };
    line('hello');
    line('{"foo":1}');
    line(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    );
    line('{"jsonrpc":"1.0","id":7,"method":"ping"}');
    line('[1, 2, 3]');
    line('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    line('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"backlog_list","arguments":{}}}');
    const answers = await waitFor(
      () => {
        const complete = stdout.split('\n').filter(Boolean);
        return complete.length >= 2 ? complete.map((text) => JSON.parse(text) as { id: unknown }) : undefined;
      },
      15_000,
      'two answers',
    );
    expect(answers.map((answer) => answer.id)).toEqual([1, 2]);
    expect(answers[1]).toMatchObject({ result: { structuredContent: { items: [] } } });
    const ignored = await waitFor(
      () => {
        const lines = stderr.split('\n').filter((text) => text.includes('stdin: ignored'));
        return lines.length >= 4 ? lines : undefined;
      },
      5000,
      'four stdin lines',
    );
    expect(ignored).toHaveLength(4);
    for (const text of ignored) expect(text.length).toBeLessThan(160);
    expect(stderr.trimEnd().split('\n').length).toBeLessThanOrEqual(6);
    // A client stuck sending junk: the first 20 are reported, then one line says the rest are not.
    for (let i = 0; i < 30; i++) line(`junk ${i}`);
    line('{"jsonrpc":"2.0","id":3,"method":"ping"}');
    await waitFor(() => stdout.includes('"id":3') && stderr.includes('further ones are ignored'), 15_000, 'the ping');
    expect(stderr.split('\n').filter((text) => text.includes('stdin: ignored'))).toHaveLength(20);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    expect(await exited).toBe(0);
  });

  it('recovers when the server is killed mid-session: the next call succeeds without restarting the client', async () => {
    const b = await bridge();
    const created = await call<{ id: string }>(b.client, 'backlog_create', { title: 'Survives a crash' });
    const first = serverPid(env.dataDir) as number;
    process.kill(first, 'SIGKILL');
    await waitFor(() => !isAlive(first), undefined, 'the server to die');
    const started = performance.now();
    const got = await call<{ items: Array<{ id: string }> }>(b.client, 'backlog_get', { id: created.id });
    const recoveryMs = performance.now() - started;
    expect(got.items[0]?.id).toBe(created.id);
    const second = serverPid(env.dataDir) as number;
    pids.add(second);
    expect(second).not.toBe(first);
    expect(b.stderr()).toContain('Reconnected to the backlog-mcp server');
    console.log(`[measure] first call after kill -9 of the server answered in ${recoveryMs.toFixed(0)} ms`);
    // And again, a second crash is survived too.
    process.kill(second, 'SIGKILL');
    await waitFor(() => !isAlive(second), undefined, 'the server to die');
    const again = await call<{ items: unknown[] }>(b.client, 'backlog_list', { status: ['open'] });
    expect(again.items).toHaveLength(1);
    const third = serverPid(env.dataDir);
    if (third) pids.add(third);
  });

  it('a newer bridge replaces an older server; an older bridge leaves a newer one alone', async () => {
    const old = await bridge({ BACKLOG_MCP_VERSION_OVERRIDE: '1.0.0' }, 'old-agent');
    expect(await version()).toBe('1.0.0');
    const oldPid = serverPid(env.dataDir) as number;

    const newer = await bridge({ BACKLOG_MCP_VERSION_OVERRIDE: '1.10.0' }, 'new-agent');
    expect(await version()).toBe('1.10.0'); // numeric comparison: 1.10.0 > 1.9.x > 1.0.0
    const newPid = serverPid(env.dataDir) as number;
    expect(newPid).not.toBe(oldPid);
    await waitFor(() => !isAlive(oldPid), undefined, 'the old server to exit');
    expect(newer.stderr()).toContain('older than 1.10.0: replacing it');
    await call(newer.client, 'backlog_create', { title: 'Made on the new server' });

    // The old client's session moved to the new server transparently, without shutting it down.
    const seen = await call<{ items: Array<{ title: string }> }>(old.client, 'backlog_list', {});
    expect(seen.items.map((item) => item.title)).toContain('Made on the new server');
    expect(serverPid(env.dataDir)).toBe(newPid);

    const older = await bridge({ BACKLOG_MCP_VERSION_OVERRIDE: '1.9.9' }, 'older-agent');
    await call(older.client, 'backlog_list', {});
    expect(await version()).toBe('1.10.0');
    expect(serverPid(env.dataDir)).toBe(newPid);
    expect(older.stderr()).toContain('(reused)');
    expect(older.stderr()).not.toContain('replacing');
  });

  it('replaces a hung server that holds the port but does not answer', async () => {
    const first = await bridge();
    await call(first.client, 'backlog_create', { title: 'Before the hang' });
    const hung = serverPid(env.dataDir) as number;
    await first.close();
    process.kill(hung, 'SIGSTOP'); // still holds the port, answers nothing
    try {
      const b = await bridge();
      const listed = await call<{ items: unknown[] }>(b.client, 'backlog_list', {});
      expect(listed.items).toHaveLength(1);
      expect(b.stderr()).toContain('is hung');
      await waitFor(() => !isAlive(hung), undefined, 'the hung server to be killed');
    } finally {
      if (isAlive(hung)) process.kill(hung, 'SIGKILL');
    }
  });

  it('measures start-up to the first answer and the added latency of the bridge', async () => {
    const firstAnswer = async (): Promise<number> => {
      const started = performance.now();
      const b = await bridge();
      await call(b.client, 'backlog_list', {});
      return performance.now() - started;
    };
    const cold = await firstAnswer();
    const warm = await firstAnswer();

    const viaBridge = bridges[1] as Bridge;
    const direct = new Client({ name: 'direct', version: '1.0.0' });
    const requestInit = { headers: envAuth(env) };
    await direct.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${env.port}/mcp`), { requestInit }),
    );
    await call(viaBridge.client, 'backlog_create', { title: 'Latency probe' });
    const time = async (client: Client): Promise<number[]> => {
      const samples: number[] = [];
      for (let i = 0; i < 50; i++) {
        const started = performance.now();
        await call(client, 'backlog_get', { id: 'TASK-0001' });
        samples.push(performance.now() - started);
      }
      return samples;
    };
    await time(direct); // warm up both paths
    const bridged = median(await time(viaBridge.client));
    const plain = median(await time(direct));
    await direct.close();
    console.log(
      `[measure] launch → first tool answer: no server ${cold.toFixed(0)} ms, server running ${warm.toFixed(0)} ms; ` +
        `median of 50 backlog_get: bridge ${bridged.toFixed(2)} ms, direct HTTP ${plain.toFixed(2)} ms, added ${(bridged - plain).toFixed(2)} ms`,
    );
    // The first launch started the server, the second reused it. The times are figures, not checks:
    // bench/bridge.mjs measures them against their targets (docs/benchmarks.md).
    expect((bridges[0] as Bridge).stderr()).toMatch(/on port \d+ \(started\)/);
    expect(viaBridge.stderr()).toMatch(/on port \d+ \(reused\)/);
  });
});
