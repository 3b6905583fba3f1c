import { execFile } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { envFor, freePort, killServers } from './support/cli.js';
import { HANG } from './support/limits.js';
import { call, removeDir, tempDataDir } from './support/servers.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
/** The README's stand-in for the reader's clone. */
const CLONE = '/path/to/backlog-mcp';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const start = readme.indexOf('## Quick start');
const quickStart = readme.slice(start, readme.indexOf('\n## ', start + 1));

interface ServerConfig {
  command: string;
  args?: string[];
}

/** The client configurations the Quick start shows as code blocks, as a client would read them. */
const configs = [...quickStart.matchAll(/```json\n([\s\S]*?)```/g)].map(
  (match) => (JSON.parse(match[1] as string) as { mcpServers: { backlog: ServerConfig } }).mcpServers.backlog,
);
const commands = [...quickStart.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((match) =>
  (match[1] as string).split('\n').map((line) => line.replace(/#.*/, '').trim()),
);

/** npm without the variables of an enclosing `npm test`, and with -g going to a folder of the test's own. */
function npmEnv(prefix: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  return { ...env, npm_config_prefix: prefix, npm_config_fund: 'false', npm_config_audit: 'false' };
}

describe('the README Quick start client configurations, exactly as written, from this clone', () => {
  const dirs: string[] = [];
  let dataDir = '';
  afterEach(async () => {
    if (dataDir) await killServers(dataDir);
    for (const dir of dirs.splice(0)) await removeDir(dir);
  });

  /** Launches the configured command the way an MCP client does, and uses a few tools through it. */
  async function use(config: ServerConfig, path?: string): Promise<void> {
    dataDir = await tempDataDir();
    dirs.push(dataDir);
    const env = envFor({ dataDir, port: await freePort() });
    if (path) env.PATH = `${path}${delimiter}${env.PATH ?? ''}`;
    const client = new Client({ name: 'readme-config', version: '1.0.0' });
    const transport = new StdioClientTransport({ ...config, env, cwd: dataDir, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      await client.connect(transport);
      const created = await call<{ id: string }>(client, 'backlog_create', { title: 'Configured from the README' });
      const listed = await call<{ items: Array<{ id: string }> }>(client, 'backlog_list', {});
      expect(listed.items.map((item) => item.id)).toEqual([created.id]);
    } catch (error) {
      throw new Error(`${String(error)}\n${stderr}`);
    } finally {
      await client.close();
    }
  }

  it('shows three configurations: node on the clone, the linked command, and npx marked as not yet published', () => {
    expect(configs.map((config) => config.command)).toEqual(['node', 'backlog-mcp']);
    expect(quickStart).toMatch(
      /Once the package is published on npm, `\{ "command": "npx", "args": \["-y", "backlog-mcp"\] \}`/,
    );
    expect(commands).toContain('npm install && npm start');
  });

  it('"command": "node" with the clone\'s dist/cli/index.js', async () => {
    const config = configs.find((c) => c.command === 'node') as ServerConfig;
    const args = (config.args ?? []).map((arg) => arg.replace(CLONE, REPO));
    expect(args).toEqual([join(REPO, 'packages/server/dist/cli/index.js')]);
    await use({ command: config.command, args });
  });

  it('the node configuration that --help prints for this copy', async () => {
    const help = await run(process.execPath, [join(REPO, 'packages/server/dist/cli/index.js'), '--help']);
    const printed = /\{"command": "node", "args": \[[^\]]*\]\}/.exec(help.stdout)?.[0];
    expect(printed, help.stdout).toBeDefined();
    const config = JSON.parse(printed as string) as ServerConfig;
    expect(config.args).toEqual([join(REPO, 'packages/server/dist/cli/index.js')]);
    await use(config);
  });

  it('"command": "backlog-mcp" after the documented npm install -g ./packages/server', async () => {
    const install = commands.find((line) => line.startsWith('npm install -g')) as string;
    expect(install).toBe('npm install -g ./packages/server');
    const prefix = await mkdtemp(join(tmpdir(), 'backlog-global-'));
    dirs.push(prefix);
    const [npm, ...args] = install.split(/\s+/);
    // A global install of a folder is a link to the clone: it fetches nothing.
    await run(npm as string, args, { cwd: REPO, env: npmEnv(prefix), timeout: HANG.process });
    expect(realpathSync(join(prefix, 'lib', 'node_modules', 'backlog-mcp'))).toBe(join(REPO, 'packages', 'server'));
    const config = configs.find((c) => c.command === 'backlog-mcp') as ServerConfig;
    await use(config, join(prefix, 'bin'));
  });
});
