// node bench/import.mjs (after npm run build) — `backlog-mcp import` of 5,000 items (issue 19):
// a beads issues.jsonl shaped like a real project (epics, tasks waiting on one or two others,
// labels, Markdown bodies), imported by the built CLI into an empty backlog, (1) with no server
// (the CLI writes the files itself) and (2) through a running server (which indexes, journals and
// tells the viewer). Then a re-import of the same source (nothing changes), and an export.
// Target: under 10 s for 5,000 items. Exits 1 on a miss (BENCH_NO_FAIL=1 only reports).
// The test machine's disk is mounted with `discard`: for a minute or two after thousands of files
// are deleted (this script's own clean-up, a test run), creating files is 5-20 times slower. Run it
// on a quiet disk; the figures in docs/benchmarks.md say which runs were which.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './lib/server.mjs';

const CLI = new URL('../packages/server/dist/cli/index.js', import.meta.url).pathname;
const COUNT = Number(process.env.IMPORT_COUNT ?? 5000);
const TARGET_MS = 10_000;
const WORDS =
  'auth login cache index search render layout api schema queue deploy build test docs metrics billing'.split(' ');

function beadsLine(n, epics) {
  const id = `bd-${n.toString(36)}`;
  const isEpic = n <= epics;
  const at = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
  const dependencies = [];
  if (!isEpic) {
    dependencies.push({ issue_id: id, depends_on_id: `bd-${(1 + (n % epics)).toString(36)}`, type: 'parent-child' });
    if (n > epics + 2)
      dependencies.push({ issue_id: id, depends_on_id: `bd-${(n - 1 - (n % 3)).toString(36)}`, type: 'blocks' });
  }
  return JSON.stringify({
    id,
    title: `${WORDS[n % WORDS.length]} ${WORDS[(n * 7) % WORDS.length]} item ${n}`,
    description: `Body of item ${n}.\n\n- ${WORDS[(n * 3) % WORDS.length]}\n- ${WORDS[(n * 5) % WORDS.length]}\n`,
    status: ['open', 'in_progress', 'blocked', 'closed'][n % 4],
    priority: n % 5,
    issue_type: isEpic ? 'epic' : ['task', 'bug', 'feature'][n % 3],
    labels: [WORDS[n % WORDS.length]],
    created_at: at,
    updated_at: at,
    dependencies,
  });
}

function run(args, env) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`backlog-mcp ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return { ms, stdout: result.stdout };
}

const root = await mkdtemp(join(tmpdir(), 'bench-import-'));
const source = join(root, 'issues.jsonl');
const lines = [];
for (let n = 1; n <= COUNT; n++) lines.push(beadsLine(n, 50));
await writeFile(source, `${lines.join('\n')}\n`);
const results = [];
try {
  const quiet = join(root, 'no-server');
  const first = run(['import', source, '--json'], { BACKLOG_DATA_DIR: quiet, BACKLOG_VIEWER_PORT: '1' });
  const created = JSON.parse(first.stdout).created.length;
  results.push(['import, no server (the CLI writes the files)', first.ms, created]);
  const again = run(['import', source, '--json'], { BACKLOG_DATA_DIR: quiet, BACKLOG_VIEWER_PORT: '1' });
  results.push([
    're-import of the same source, no server (all unchanged)',
    again.ms,
    JSON.parse(again.stdout).unchanged,
  ]);
  const exported = run(['export', '--format', 'jsonl', '--output', join(root, 'out.jsonl')], {
    BACKLOG_DATA_DIR: quiet,
    BACKLOG_VIEWER_PORT: '1',
  });
  results.push(['export --format jsonl', exported.ms, (await readdir(join(quiet, 'tasks'))).length]);

  const served = join(root, 'served');
  const server = await startServer(served);
  try {
    const port = new URL(server.url).port;
    const viaServer = run(['import', source, '--json'], { BACKLOG_DATA_DIR: served, BACKLOG_VIEWER_PORT: port });
    results.push(['import through a running server', viaServer.ms, JSON.parse(viaServer.stdout).created.length]);
  } finally {
    await server.stop();
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
let missed = false;
for (const [what, ms, count] of results) {
  const timed = what.startsWith('import');
  const met = !timed || ms < TARGET_MS;
  if (!met) missed = true;
  console.log(
    `${what.padEnd(58)} ${String(count).padStart(6)} items ${ms.toFixed(0).padStart(7)} ms${timed ? `  target < ${TARGET_MS} ms: ${met ? 'met' : 'NOT MET'}` : ''}`,
  );
}
if (missed && process.env.BENCH_NO_FAIL !== '1') process.exitCode = 1;
