import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../runtime/node/config.js';

/**
 * Proof that a PID is the backlog-mcp server for a data folder, before the CLI kills it.
 *
 * A PID file can be planted or stale (its PID reused), and an HTTP answer can come from anyone
 * holding the port, so neither is trusted on its own word. A process is ours only if /proc shows
 * that it
 *  1. runs a backlog-mcp CLI as `serve` (this installation's dist/cli/index.js, or another
 *     version's, which a newer CLI may replace): a node process running anything else is not,
 *  2. was started for the same data folder (its BACKLOG_DATA_DIR, .env and working folder,
 *     resolved exactly as `serve` resolves them; /proc/<pid>/environ is readable for the user's
 *     own processes only, so another user's process is never proven),
 *  3. started around when the PID file was written (it writes that file as it starts): not long
 *     before (a planted file naming an older process) nor after (a PID reused since),
 *  4. holds the listening socket of the port in question.
 * Without /proc (macOS, Windows) nothing can be proven, and nothing is killed.
 */

/** The server writes its PID file right after binding the port; a loaded machine can take 10 s+ to get there. */
export const START_ALLOWANCE_MS = 60_000;
/** Boot time in /proc/stat has whole seconds; file times and the clock may differ a little. */
export const CLOCK_SLACK_MS = 2_000;
/** USER_HZ, the unit of /proc/<pid>/stat start times: 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;
const PACKAGE_NAME = 'backlog-mcp';

export interface ServerClaim {
  pid: number;
  dataDir: string;
  port: number;
  /** When the PID file naming `pid` was last written (its mtime). */
  pidFileWrittenAtMs: number;
}

export type Proof =
  /** `startTicks` identifies the process: the same PID with another start time is another process. */
  { proven: true; startTicks: number } | { proven: false; reason: string };

export interface ProofOptions {
  /** Where procfs is mounted (tests). */
  proc?: string;
  /** This installation's CLI entry point. */
  cliPath?: string;
}

const refuse = (reason: string): Proof => ({ proven: false, reason });

function sameFile(a: string, b: string): boolean {
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return real(a) === real(b);
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses): [0] is field 3. */
function statFields(proc: string, pid: number): string[] | undefined {
  try {
    const stat = readFileSync(join(proc, String(pid), 'stat'), 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat: when the process started, in ticks since boot. */
export function startTicksOf(pid: number, proc = '/proc'): number | undefined {
  const ticks = Number(statFields(proc, pid)?.[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

function bootTimeMs(proc: string): number | undefined {
  try {
    const line = /^btime (\d+)$/m.exec(readFileSync(join(proc, 'stat'), 'utf8'));
    return line ? Number(line[1]) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

const EVAL_FLAGS = new Set(['-e', '--eval', '-p', '--print', '-pe']);

/** The script a node command line runs, and what follows it; undefined for `node -e`, a REPL and the like. */
function scriptOf(argv: string[]): { script: string; args: string[] } | undefined {
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (EVAL_FLAGS.has(arg) || arg.startsWith('--eval=') || arg.startsWith('--print=')) return undefined;
    if (arg === '--')
      return i + 1 < argv.length ? { script: argv[i + 1] as string, args: argv.slice(i + 2) } : undefined;
    if (!arg.startsWith('-')) return { script: arg, args: argv.slice(i + 1) };
  }
  return undefined;
}

/** This installation's CLI, or the dist/cli/index.js of another installed backlog-mcp package. */
function isBacklogCli(real: string, ours: string): boolean {
  if (sameFile(real, ours)) return true;
  const cliDir = dirname(real);
  const distDir = dirname(cliDir);
  if (basename(real) !== 'index.js' || basename(cliDir) !== 'cli' || basename(distDir) !== 'dist') return false;
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(distDir), 'package.json'), 'utf8')) as { name?: unknown };
    return pkg.name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** Inodes of the sockets listening on `port` in the process's network namespace (TCP over IPv4 and IPv6). */
function listeningInodes(proc: string, pid: number, port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(join(proc, String(pid), 'net', table), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (!local || fields[3] !== '0A') continue; // 0A: LISTEN
      if (local.slice(local.lastIndexOf(':') + 1) === hexPort && fields[9]) inodes.add(fields[9]);
    }
  }
  return inodes;
}

function holdsSocket(proc: string, pid: number, inodes: Set<string>): boolean {
  const fdDir = join(proc, String(pid), 'fd');
  let fds: string[];
  try {
    fds = readdirSync(fdDir);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(join(fdDir, fd)));
      if (match && inodes.has(match[1] as string)) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

function environOf(proc: string, pid: number): NodeJS.ProcessEnv | undefined {
  try {
    const env: NodeJS.ProcessEnv = {};
    for (const entry of readFileSync(join(proc, String(pid), 'environ'), 'utf8').split('\0')) {
      const at = entry.indexOf('=');
      if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return env;
  } catch {
    return undefined;
  }
}

/** Proves, or refuses with the reason, that `claim.pid` is the backlog-mcp server for `claim.dataDir` on `claim.port`. */
export function proveServerProcess(claim: ServerClaim, options: ProofOptions = {}): Proof {
  const proc = options.proc ?? '/proc';
  const { pid } = claim;
  if (!Number.isInteger(pid) || pid <= 0) return refuse('not a valid PID');
  if (pid === process.pid) return refuse('it is this command itself');
  if (!existsSync(join(proc, 'self', 'stat'))) {
    return refuse('this system has no /proc to check a process with, so none is ever killed');
  }
  const fields = statFields(proc, pid);
  if (!fields) return refuse(`no process has PID ${pid}`);
  if (fields[0] === 'Z' || fields[0] === 'X') return refuse(`PID ${pid} has exited`);

  let argv: string[];
  let cwd: string;
  try {
    argv = readFileSync(join(proc, String(pid), 'cmdline'), 'utf8').split('\0');
    if (argv.at(-1) === '') argv.pop();
    cwd = readlinkSync(join(proc, String(pid), 'cwd'));
  } catch {
    return refuse(`PID ${pid} cannot be inspected (another user's process?)`);
  }
  const run = scriptOf(argv);
  const shown = argv.join(' ').slice(0, 120);
  if (run?.args[0] !== 'serve') return refuse(`PID ${pid} is not "backlog-mcp serve" (${shown})`);
  let script: string;
  try {
    script = realpathSync(resolve(cwd, run.script));
  } catch {
    return refuse(`PID ${pid} runs ${run.script}, which cannot be found`);
  }
  const ours = options.cliPath ?? fileURLToPath(new URL('./index.js', import.meta.url));
  if (!isBacklogCli(script, ours)) return refuse(`PID ${pid} does not run the backlog-mcp CLI (${shown})`);

  const env = environOf(proc, pid);
  if (!env) return refuse(`the environment of PID ${pid} cannot be read (another user's process?)`);
  const serves = loadConfig(env, cwd).dataDir;
  if (!sameFile(serves, claim.dataDir)) return refuse(`PID ${pid} serves ${serves}`);

  const startTicks = Number(fields[19]);
  const boot = bootTimeMs(proc);
  if (!Number.isFinite(startTicks) || boot === undefined) return refuse(`the start time of PID ${pid} is unknown`);
  const startedAtMs = boot + (startTicks * 1000) / TICKS_PER_SECOND;
  if (startedAtMs > claim.pidFileWrittenAtMs + CLOCK_SLACK_MS) {
    return refuse(`PID ${pid} started after the PID file was written (the PID was reused)`);
  }
  if (startedAtMs < claim.pidFileWrittenAtMs - START_ALLOWANCE_MS) {
    return refuse(`PID ${pid} started long before the PID file was written (the file is not its own)`);
  }

  if (!holdsSocket(proc, pid, listeningInodes(proc, pid, claim.port))) {
    return refuse(`PID ${pid} does not listen on port ${claim.port}`);
  }
  return { proven: true, startTicks };
}
