// node bench/brief.mjs (after npm run build) — the session briefing (issue 18) as a SessionStart hook gets
// it: `backlog-mcp brief --agent claude-code` in a fresh Node process each time, on generated backlogs of
// 1,000 and 10,000 items (the corpus of `npm run bench`) with a realistic state set up through the CLI
// (claims held by claude-code and by codex, items finished lately, a blocked item with a reason, one
// waiting on a claimed item, a milestone due in 10 days). For each size:
//  (a) with `backlog-mcp serve` running on that folder (a free port): median of BENCH_RUNS runs;
//  (b) with no server: the first run after the load cache (.state/items-cache.v8) was deleted (cold), then
//      the median of BENCH_RUNS runs with the cache the cold run wrote (what a user's folder normally has);
// then, at 10,000 items, where the time goes (Node's start, the CLI's modules, the probe, the HTTP request,
// the store's load, the process's end), the server path done with node:http instead of fetch for comparison,
// and the briefing's size in bytes and in tokens (gpt-tokenizer: o200k_base and cl100k_base).
// Targets (issue 18), at 10,000 items: < 300 ms with a server, < 1 s without (with the load cache).
// Private HOME and data folders in the temp folder; no port or folder of yours is used. Run it on a quiet
// machine. Exits 1 if a target is missed (BENCH_NO_FAIL=1 to only report). BENCH_RUNS (default 9, min 7).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { writeCorpus } from './lib/corpus.mjs';
import { freePort } from './lib/server.mjs';

const CLI = new URL('../packages/server/dist/cli/index.js', import.meta.url).pathname;
const DIST = new URL('../packages/server/dist/', import.meta.url).pathname;
const RUNS = Math.max(7, Number(process.env.BENCH_RUNS ?? 9));
const SIZES = [1000, 10_000];
const TARGET_SIZE = 10_000;
const AGENT = 'claude-code';

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const range = (values) => `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`;

const results = [];
function report(what, value, { target, unit = 'ms', note = '' } = {}) {
  const met = target === undefined || value < target;
  results.push({ what, value, target, met });
  const goal = target === undefined ? '' : `target < ${target} ${unit}  ${met ? 'met' : 'NOT MET'}`;
  const shown = unit === 'ms' ? value.toFixed(0) : String(value);
  console.log(`${what.padEnd(66)} ${shown.padStart(7)} ${unit.padEnd(6)} ${goal}${note ? `  ${note}` : ''}`);
}

const root = mkdtempSync(join(tmpdir(), 'bench-brief-'));
const home = join(root, 'home');
mkdirSync(home);

function envFor(dataDir, port, extra = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('BACKLOG_')));
  return { ...clean, HOME: home, BACKLOG_DATA_DIR: dataDir, BACKLOG_VIEWER_PORT: String(port), ...extra };
}

/** Runs a child to its exit; the wall time is from spawn to exit, as a hook runner sees it. */
function run(args, env, { input } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
    child.stdin.end(input);
  });
}

async function cli(dataDir, port, args, actor) {
  const result = await run([CLI, ...args], envFor(dataDir, port, actor ? { BACKLOG_ACTOR_NAME: actor } : {}));
  if (result.code !== 0) throw new Error(`backlog-mcp ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

const brief = (dataDir, port, extra = []) =>
  run([CLI, 'brief', '--agent', AGENT, ...extra], envFor(dataDir, port)).then((result) => {
    if (result.code !== 0) throw new Error(`brief exited ${result.code}: ${result.stderr}`);
    return result;
  });

async function timeBriefs(dataDir, port) {
  const samples = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    last = await brief(dataDir, port);
    samples.push(last.ms);
  }
  return { samples, median: median(samples), text: last.stdout.replace(/\n$/, '') };
}

async function startServe(dataDir, port) {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: envFor(dataDir, port),
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  await new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (/MCP endpoint: http:\/\/\S+\/mcp/.test(stderr)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const token = readFileSync(join(dataDir, '.state', 'server.token'), 'utf8').trim();
  return {
    token,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

const isoDay = (days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/**
 * A realistic state on top of the generated items (which hold no claims and nothing recent): through the
 * CLI, as people and agents make it. claude-code finished one item, then claimed three; after that codex
 * finished one and claimed two, alice finished one, blocked one with a reason, made one wait on
 * claude-code's work and put four items under a milestone due in 10 days.
 */
async function setUpState(dataDir, port) {
  const ready = JSON.parse(await cli(dataDir, port, ['list', '--ready', '--limit', '14', '--json'])).items.map(
    (item) => item.id,
  );
  if (ready.length < 14) throw new Error(`only ${ready.length} ready items`);
  const [mine1, mine2, mine3, mineDone, codex1, codex2, codexDone, aliceDone, blocked, waiting, m1, m2] = ready;
  const as = (actor, ...args) => cli(dataDir, port, args, actor);
  await as(AGENT, 'update', mineDone, '--claim');
  await as(AGENT, 'update', mineDone, '--status', 'done', '--evidence', 'src/billing/export.ts');
  for (const id of [mine1, mine2, mine3]) await as(AGENT, 'update', id, '--claim');
  await as('codex', 'update', codexDone, '--claim');
  await as('codex', 'update', codexDone, '--status', 'done', '--evidence', 'ci.yml');
  for (const id of [codex1, codex2]) await as('codex', 'update', id, '--claim');
  await as('alice', 'update', aliceDone, '--status', 'done');
  await as('alice', 'update', blocked, '--status', 'blocked', '--blocked-reason', 'Waiting for the vendor API key');
  await as('alice', 'update', waiting, '--blocked-by', mine1);
  const created = await as('alice', 'create', 'Release 2.0', '--type', 'milestone', '--due-date', isoDay(10));
  const milestone = /Created (\S+)/.exec(created)?.[1];
  for (const id of [m1, m2, aliceDone, mine2]) await as('alice', 'update', id, '--parent-id', milestone);
}

/**
 * Where the time of one `brief` goes, measured inside a fresh process doing what the command does (the
 * same modules and calls, timed between steps); `exit` is the wall time after the last step until the
 * process is gone (what Node's teardown waits for). Median of RUNS per step.
 */
const STEPS = `
const t0 = performance.now();
const { loadConfig } = await import(${JSON.stringify(`${DIST}runtime/node/config.js`)});
const daemon = await import(${JSON.stringify(`${DIST}cli/daemon.js`)});
await import(${JSON.stringify(`${DIST}cli/commands/brief.js`)});
const t1 = performance.now();
const config = loadConfig();
const target = daemon.targetOf(config);
const state = (await daemon.probe(target)).state;
const t2 = performance.now();
const steps = { boot: t0, cliModules: t1 - t0, probe: t2 - t1 };
if (state === 'running') {
  const url = new URL(target.base + '/api/briefing');
  url.searchParams.set('project', config.backlogDir);
  url.searchParams.set('agent', ${JSON.stringify(AGENT)});
  const response = await fetch(url, { headers: daemon.ownerHeaders(daemon.tokenForServer(config)) });
  await response.json();
  steps.request = performance.now() - t2;
} else {
  const { openBacklogForReading } = await import(${JSON.stringify(`${DIST}runtime/node/backlog.js`)});
  const t3 = performance.now();
  const reader = await openBacklogForReading(config.backlogDir, () => undefined);
  const t4 = performance.now();
  await reader.backlog.briefing({ agent: ${JSON.stringify(AGENT)} });
  const t5 = performance.now();
  await reader.close();
  Object.assign(steps, { storeModules: t3 - t2, load: t4 - t3, briefing: t5 - t4 });
}
steps.done = performance.now();
process.stdout.write(JSON.stringify({ state, ...steps }));
`;

/**
 * Not the CLI: the server path as it could be, for comparison. The same CLI modules, then one GET
 * /api/briefing with node:http (no fetch, no separate probe: a refused connection would mean "no server"),
 * without keep-alive.
 */
const HTTP_ONLY = `
import { get } from 'node:http';
const { loadConfig } = await import(${JSON.stringify(`${DIST}runtime/node/config.js`)});
const daemon = await import(${JSON.stringify(`${DIST}cli/daemon.js`)});
await import(${JSON.stringify(`${DIST}cli/commands/brief.js`)});
const config = loadConfig();
const target = daemon.targetOf(config);
const url = new URL(target.base + '/api/briefing');
url.searchParams.set('project', config.backlogDir);
url.searchParams.set('agent', ${JSON.stringify(AGENT)});
const headers = { ...daemon.ownerHeaders(daemon.tokenForServer(config)), connection: 'close' };
const body = await new Promise((resolve, reject) => {
  const request = get(url, { headers, agent: false, timeout: 3000 }, (response) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => { text += chunk; });
    response.on('end', () => resolve(text));
  });
  request.on('error', reject);
});
process.stdout.write(JSON.parse(body).text + '\\n');
`;

async function profile(dataDir, port) {
  const rows = [];
  for (let i = 0; i < RUNS; i++) {
    const result = await run(['--input-type=module', '-e', STEPS], envFor(dataDir, port));
    if (result.code !== 0) throw new Error(`profile exited ${result.code}: ${result.stderr}`);
    const row = JSON.parse(result.stdout);
    rows.push({ ...row, exit: result.ms - row.done });
  }
  const keys = Object.keys(rows[0]).filter((key) => key !== 'state' && key !== 'done');
  return { state: rows[0].state, ...Object.fromEntries(keys.map((key) => [key, median(rows.map((row) => row[key]))])) };
}

async function timeHttpOnly(dataDir, port) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const result = await run(['--input-type=module', '-e', HTTP_ONLY], envFor(dataDir, port));
    if (result.code !== 0) throw new Error(`http-only exited ${result.code}: ${result.stderr}`);
    samples.push(result.ms);
  }
  return median(samples);
}

async function timeApi(port, token, dataDir) {
  const url = `http://127.0.0.1:${port}/api/briefing?agent=${AGENT}&project=${encodeURIComponent(dataDir)}`;
  const headers = { authorization: `Bearer ${token}` };
  await (await fetch(url, { headers })).json();
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    await response.json();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** Lease minutes and "N min ago" move between runs; the rest must be the same text both ways. */
const shape = (text) => text.replace(/\d+ (min|h|days?) (left|ago)/g, 'N $2');

console.log(
  `backlog-mcp brief bench — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, load ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}, ${RUNS} runs per median`,
);
const sizes = [];
try {
  // Baselines: what any Node process and the CLI cost before the briefing does anything.
  const port0 = await freePort();
  const empty = join(root, 'empty');
  const nodeOnly = [];
  const version = [];
  for (let i = 0; i < RUNS; i++) {
    nodeOnly.push((await run(['-e', '0'], envFor(empty, port0))).ms);
    version.push((await run([CLI, 'version'], envFor(empty, port0))).ms);
  }
  report('node -e 0 (Node start and exit)', median(nodeOnly));
  report('backlog-mcp version (Node + the CLI entry, config)', median(version));

  for (const size of SIZES) {
    const dataDir = join(root, `backlog-${size}`);
    const port = await freePort();
    await writeCorpus(dataDir, size, 42);
    const server = await startServe(dataDir, port);
    let withServer;
    let api;
    let json;
    let serverSteps;
    let httpOnly;
    try {
      await setUpState(dataDir, port);
      await brief(dataDir, port); // warm-up: the server's first briefing, the OS's file cache
      withServer = await timeBriefs(dataDir, port);
      api = await timeApi(port, server.token, dataDir);
      json = JSON.parse((await brief(dataDir, port, ['--json'])).stdout);
      if (size === TARGET_SIZE) {
        serverSteps = await profile(dataDir, port);
        httpOnly = await timeHttpOnly(dataDir, port);
      }
    } finally {
      await server.stop();
    }
    const label = `${size.toLocaleString('en-US')} items`;
    report(`${label}: brief, server running (median)`, withServer.median, {
      target: size === TARGET_SIZE ? 300 : undefined,
      note: `runs ${range(withServer.samples)} ms`,
    });
    report(`${label}:   of which GET /api/briefing answered (median)`, api);
    if (serverSteps) {
      const p = serverSteps;
      report(`${label}, server, in one process: Node start to first line`, p.boot);
      report(`${label}, server:   CLI modules (config, daemon, brief)`, p.cliModules);
      report(`${label}, server:   probe GET /version (fetch; ${p.state})`, p.probe);
      report(`${label}, server:   GET /api/briefing (fetch)`, p.request);
      report(`${label}, server:   from the last step to the process's end`, p.exit);
      report(`${label}, server: node:http, no probe, no keep-alive (not the CLI)`, httpOnly);
    }

    // No server: the cold run reads and parses every file; it writes the load cache the later runs use.
    const cachePath = join(dataDir, '.state', 'items-cache.v8');
    rmSync(cachePath, { force: true });
    const cold = await brief(dataDir, port);
    const cacheWritten = existsSync(cachePath);
    const warm = await timeBriefs(dataDir, port);
    report(`${label}: brief, no server, first run without load cache`, cold.ms, {
      note: cacheWritten ? '(it wrote the cache)' : '(it did not write the cache: every run is cold)',
    });
    report(`${label}: brief, no server, with load cache (median)`, warm.median, {
      target: size === TARGET_SIZE ? 1000 : undefined,
      note: `runs ${range(warm.samples)} ms`,
    });
    if (shape(warm.text) !== shape(withServer.text)) {
      console.log('  note: the text differs between the server and the files:');
      console.log(`${withServer.text}\n  ---\n${warm.text}`);
    }
    if (size === TARGET_SIZE) {
      const p = await profile(dataDir, port);
      report(`${label}, no server, in one process: Node start to first line`, p.boot);
      report(`${label}, no server:   CLI modules (config, daemon, brief)`, p.cliModules);
      report(`${label}, no server:   probe GET /version (fetch; nobody there: ${p.state})`, p.probe);
      report(`${label}, no server:   store modules (runtime/node/backlog.js)`, p.storeModules);
      report(`${label}, no server:   open the store (load cache, lstat each file)`, p.load);
      report(`${label}, no server:   gather and fit the briefing`, p.briefing);
      report(`${label}, no server:   from the last step to the process's end`, p.exit);
    }
    sizes.push({ size, text: withServer.text, json });
  }

  console.log(
    '\nTargets (issue 18) apply at 10,000 items; without a server, to the runs with the load cache (a folder a ' +
      'server has served has one); the first run without it is reported, not judged.',
  );
  console.log('\nThe briefing (default ceiling 2,000 bytes), counted with gpt-tokenizer:');
  for (const { size, text, json } of sizes) {
    const bytes = Buffer.byteLength(text);
    const o = o200k(text);
    const c = cl100k(text);
    const label = `${size.toLocaleString('en-US')} items:`;
    console.log(
      `${label.padEnd(14)} ${String(bytes).padStart(5)} bytes (reported ${json.bytes}), ` +
        `${o} tokens o200k_base (${(bytes / o).toFixed(2)} bytes/token), ` +
        `${c} tokens cl100k_base (${(bytes / c).toFixed(2)} bytes/token)`,
    );
  }
  for (const { size, text } of sizes) console.log(`\n--- ${size.toLocaleString('en-US')} items ---\n${text}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
if (results.some((r) => !r.met) && process.env.BENCH_NO_FAIL !== '1') process.exitCode = 1;
