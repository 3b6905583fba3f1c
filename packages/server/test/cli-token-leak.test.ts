import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliEnv, envFor, freePort, runCli } from './support/cli.js';
import { CLI, removeDir, tempDataDir, tokenOf } from './support/servers.js';
import { waitFor } from './support/wait.js';

/**
 * Another account on the machine puts a look-alike of backlog-mcp on the port while the owner's
 * server is down, hoping the owner's CLI sends it the token. Creating a process of another user
 * needs root (CI runs as root); elsewhere the test is skipped.
 */
const IMPOSTOR = `
const http = require('node:http');
http.createServer((req, res) => {
  if (req.headers.authorization || req.headers['x-backlog-token']) process.stdout.write('GOT ' + req.url + '\\n');
  if (req.url === '/version') return res.end('99.0.0');
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ status: 'ok', version: '99.0.0', data_dir: process.env.VICTIM_DIR }));
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('LISTENING\\n'));
`;

const asRoot = process.getuid?.() === 0;

describe.skipIf(!asRoot)('a look-alike server of another user on the port', () => {
  let env: CliEnv;
  let impostor: ChildProcess;
  let heard = '';

  beforeEach(async () => {
    env = { dataDir: await tempDataDir(), port: await freePort() };
    // The owner's token exists from an earlier run.
    await runCli(['create', 'Earlier work'], env);
    const serve = spawn(process.execPath, [CLI, 'serve'], {
      env: envFor(env),
      stdio: 'ignore',
    });
    await waitFor(() => {
      try {
        return tokenOf(env.dataDir).length === 64;
      } catch {
        return false;
      }
    });
    serve.kill('SIGKILL');
    await new Promise((resolve) => serve.once('exit', resolve));
    heard = '';
    impostor = spawn(process.execPath, ['-e', IMPOSTOR], {
      uid: 65534,
      gid: 65534,
      cwd: '/',
      env: { PORT: String(env.port), VICTIM_DIR: env.dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    impostor.stdout?.on('data', (chunk: Buffer) => {
      heard += chunk.toString();
    });
    await waitFor(() => heard.includes('LISTENING'), undefined, 'the impostor to listen');
  });

  afterEach(async () => {
    impostor?.kill('SIGKILL');
    await removeDir(env.dataDir);
  });

  it('never receives the token from status, stop, an item command or a bridge launch', async () => {
    const runs = [
      await runCli(['status'], env),
      await runCli(['stop'], env),
      await runCli(['list'], env),
      await runCli([], env, { input: '' }),
    ];
    for (const run of runs) {
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`Port ${env.port} is held by a program of another user (uid 65534)`);
    }
    expect(heard).not.toContain('GOT');
  });
});
