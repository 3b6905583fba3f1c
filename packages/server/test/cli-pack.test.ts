import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { envFor, freePort, killServers, serverProcesses } from './support/cli.js';
import { HANG } from './support/limits.js';
import { removeDir, tokenOf } from './support/servers.js';
import { waitFor } from './support/wait.js';

const run = promisify(execFile);
const SERVER_PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const SHARED_PACKAGE = fileURLToPath(new URL('../../shared', import.meta.url));

/**
 * A copy of packages/server and packages/shared outside the workspace. npm pack runs there, with the
 * package's own prepack/postpack scripts, so the transient bundle copy it makes never appears in the
 * real packages/server/node_modules while other tests (and engineers) resolve @backlog-mcp/shared.
 */
async function stage(root: string): Promise<string> {
  const server = join(root, 'packages', 'server');
  for (const name of ['package.json', 'LICENSE', 'README.md', 'dist', 'assets', 'scripts']) {
    if (existsSync(join(SERVER_PACKAGE, name)))
      await cp(join(SERVER_PACKAGE, name), join(server, name), { recursive: true });
  }
  for (const name of ['package.json', 'dist']) {
    await cp(join(SHARED_PACKAGE, name), join(root, 'packages', 'shared', name), { recursive: true });
  }
  return server;
}

/** npm without the variables of an enclosing `npm test` (workspace, prefix...), which would change what it does. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key)) env[key] = value;
  }
  return { ...env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };
}

describe('the package as a user gets it', () => {
  const dirs: string[] = [];
  let dataDir = '';
  afterAll(async () => {
    if (dataDir) await killServers(dataDir, serverProcesses(dataDir));
    for (const dir of dirs) await removeDir(dir);
  });

  it('npm pack → npm install into an empty folder → --help, serve with the viewer, the bridge, every tool, deep search and its fallback', async () => {
    const packDir = await mkdtemp(join(tmpdir(), 'backlog-pack-'));
    const installDir = await mkdtemp(join(tmpdir(), 'backlog-install-'));
    dataDir = await mkdtemp(join(tmpdir(), 'backlog-pack-data-'));
    dirs.push(packDir, installDir, dataDir);

    const staged = await stage(await mkdtemp(join(tmpdir(), 'backlog-stage-')));
    dirs.push(join(staged, '..', '..'));
    await run('npm', ['pack', '--pack-destination', packDir], { cwd: staged, env: npmEnv() });
    expect(existsSync(join(staged, 'node_modules', '@backlog-mcp'))).toBe(false); // postpack cleaned up
    const [tarball] = (await readdir(packDir)).filter((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const { stdout: listing } = await run('tar', ['tzf', join(packDir, tarball as string)]);
    expect(listing).toContain('package/node_modules/@backlog-mcp/shared/dist/index.js');
    expect(listing).toContain('package/dist/viewer/index.html');
    expect(listing).not.toMatch(/package\/(src|test)\//);

    await writeFile(join(installDir, 'package.json'), '{"name":"pack-check","private":true}\n');
    await run(
      'npm',
      ['install', join(packDir, tarball as string), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
      { cwd: installDir, env: npmEnv(), timeout: HANG.bigStart },
    );
    const bin = join(installDir, 'node_modules', '.bin', 'backlog-mcp');
    const port = await freePort();
    const env = envFor({ dataDir, port });
    // The package's own default search mode (deep: the sentence encoder from its dependencies).
    delete env.BACKLOG_SEARCH;
    const opts = { cwd: installDir, env };

    const help = await run(bin, ['--help'], opts);
    expect(help.stdout).toContain('BACKLOG_VIEWER_PORT');

    // The default command, as an MCP client launches it: starts the detached server, bridges stdio.
    const client = new Client({ name: 'pack-check', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: bin, args: [], env, cwd: installDir, stderr: 'pipe' }));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['backlog_list', 'backlog_create']));
    const callOk = async (name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
      return result.structuredContent as Record<string, unknown>;
    };
    const created = await callOk('backlog_create', { title: 'Installed from the tarball', description: 'hello' });
    const id = created.id as string;
    await callOk('backlog_list', {});
    await callOk('backlog_get', { id });
    await callOk('backlog_search', { query: 'tarball' });
    // The installed sentence encoder loads offline, encodes the item and answers a paraphrase.
    const health = async () =>
      (await (
        await fetch(`http://127.0.0.1:${port}/health`, { headers: { authorization: `Bearer ${tokenOf(dataDir)}` } })
      ).json()) as { semantic?: { encoder: string; pending: number; queries: number } };
    await waitFor(
      async () => {
        const semantic = (await health()).semantic;
        return semantic?.encoder === 'ready' && semantic.pending === 0;
      },
      HANG.process,
      'the sentence encoder to load and encode the item',
    );
    const paraphrase = await callOk('backlog_search', { query: 'set up from a packed archive' });
    expect(paraphrase.search_mode).toBe('deep');
    expect((await health()).semantic?.queries).toBe(1);
    await callOk('backlog_context', { task_id: id });
    await callOk('backlog_update', { id, status: 'done', evidence: ['npm pack test'] });
    await callOk('write_resource', {
      uri: `mcp://backlog/tasks/${id}.md`,
      operation: { type: 'append', new_str: '\nappended' },
    });
    await callOk('backlog_delete', { id });
    await client.close();

    // serve's viewer and API, from the installed files, through the link status prints.
    const status = await run(bin, ['status'], opts);
    expect(status.stdout).toContain(`Server is running on port ${port}`);
    expect(status.stdout).toContain('Search: deep (sentence encoder ready)');
    const link = /Viewer: (\S+)/.exec(status.stdout)?.[1] as string;
    expect(link).toMatch(/\/\?token=[0-9a-f]{64}$/);
    const signIn = await fetch(link.replace('localhost', '127.0.0.1'), { redirect: 'manual' });
    expect(signIn.status).toBe(303);
    const cookie = String(signIn.headers.get('set-cookie')).split(';')[0] as string;
    const page = await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toMatch(/<html/i);
    const direct = new Client({ name: 'pack-http', version: '1.0.0' });
    const requestInit = { headers: { authorization: `Bearer ${tokenOf(dataDir)}` } };
    await direct.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit }));
    expect((await direct.listTools()).tools.length).toBeGreaterThanOrEqual(7);
    await direct.close();

    const stop = await run(bin, ['stop'], opts);
    expect(stop.stdout).toContain('Server stopped');
    await waitFor(() => serverProcesses(dataDir).length === 0, undefined, 'the server to exit');

    // A broken install (the model package gone): search falls back to the static table and says so.
    await rm(join(installDir, 'node_modules', '@energetic-ai', 'model-embeddings-en'), { recursive: true });
    const again = new Client({ name: 'pack-check-again', version: '1.0.0' });
    await again.connect(new StdioClientTransport({ command: bin, args: [], env, cwd: installDir, stderr: 'pipe' }));
    await waitFor(async () => (await health()).semantic?.encoder === 'off', HANG.process, 'the encoder to give up');
    const fallback = (await again.callTool({
      name: 'backlog_search',
      arguments: { query: 'hello' },
    })) as CallToolResult;
    expect((fallback.structuredContent as { search_mode: string }).search_mode).toBe('hybrid');
    await again.close();
    const log = readFileSync(join(dataDir, '.state', 'server.log'), 'utf8');
    expect(log.match(/the sentence encoder is off/g)).toHaveLength(1);
    await run(bin, ['stop'], opts);
    await waitFor(() => serverProcesses(dataDir).length === 0, undefined, 'the server to exit');
    // Pack, install and several process starts: on a loaded machine minutes; the limit is a hang detector.
  }, 600_000);
});
