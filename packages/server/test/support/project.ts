import { execFile, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type CliResult, freePort } from './cli.js';
import { HANG } from './limits.js';
import { CLI, tempDataDir } from './servers.js';

const execFileAsync = promisify(execFile);

/**
 * A sandbox for commands that find their backlog from the folder they run in: no
 * BACKLOG_DATA_DIR, HOME in the sandbox (so ~/.backlog is never the real one), a port nobody
 * listens on (so item commands work on the files), and git with no user or system settings.
 */
export interface Sandbox {
  root: string;
  home: string;
  env: Record<string, string>;
}

export async function sandbox(): Promise<Sandbox> {
  const root = await tempDataDir();
  const home = join(root, 'home');
  await mkdir(home);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('BACKLOG_') && !key.startsWith('GIT_')) env[key] = value;
  }
  Object.assign(env, {
    HOME: home,
    BACKLOG_VIEWER_PORT: String(await freePort()),
    // Words only: no embedding model to load in every short-lived CLI process.
    BACKLOG_SEARCH: 'text',
    BACKLOG_ACTOR_NAME: 'tester',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Tester',
    GIT_AUTHOR_EMAIL: 'tester@example.com',
    GIT_COMMITTER_NAME: 'Tester',
    GIT_COMMITTER_EMAIL: 'tester@example.com',
  });
  return { root, home, env };
}

/** Runs the built CLI in `cwd`, the way a person in that folder would. */
export function cliIn(box: Sandbox, cwd: string, args: string[]): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: box.env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`backlog-mcp ${args.join(' ')} did not finish within ${HANG.process} ms:\n${stdout}\n${stderr}`),
      );
    }, HANG.process);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** The real git, in the sandbox's environment. Resolves with stdout; `allowFailure` keeps a non-zero exit. */
export async function git(
  box: Sandbox,
  cwd: string,
  args: string[],
  options: { allowFailure?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync('git', args, { cwd, env: box.env, timeout: HANG.process });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (!options.allowFailure) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${failed.stderr ?? error}`);
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}
