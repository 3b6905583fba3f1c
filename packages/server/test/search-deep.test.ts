import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliEnv, envAuth, freePort, killServers, median, runCli, serveForeground } from './support/cli.js';
import { HANG } from './support/limits.js';
import { call, connectHttp, removeDir, tempDataDir } from './support/servers.js';
import { sleep, until, waitFor } from './support/wait.js';

/**
 * Search mode `deep` in a real server: the sentence encoder (a worker thread) encodes items in the
 * background, is asked only by queries the words answer weakly, keeps its vectors across restarts,
 * and never holds up the server's other answers. The only test file that loads the encoder (the
 * other tests run servers with `hybrid`, support/servers.ts TEST_SEARCH_MODE).
 */

interface Semantic {
  encoder: 'ready' | 'loading' | 'off';
  pending: number;
  encoded: number;
  queries: number;
}

interface Health {
  search_mode: string;
  semantic?: Semantic;
}

interface Found {
  results: Array<{ id: string }>;
  search_mode: string;
}

/** The encoder's load (model, tfjs warm-up) takes seconds alone and far longer on a loaded machine. */
const ENCODER_LOAD = HANG.process;
/** What a probe of /version may take while the encoder works. */
const BUDGET_MS = 100;

const ITEMS = [
  {
    title: 'Authentication errors after token refresh',
    description:
      'Users are logged out and get 401 responses as soon as the access token is renewed; the login form then rejects valid passwords.',
  },
  { title: 'Add dark mode to the viewer', description: 'A darker colour scheme for the board and the graph pages.' },
  { title: 'Export the backlog as CSV', description: 'Download every item with its status, labels and dates.' },
  {
    title: 'Speed up the search index on large backlogs',
    description: 'Building the index for 10,000 items takes too long at start-up.',
  },
  { title: 'Write the release notes for 0.2', description: 'Summarise new features and breaking changes.' },
  { title: 'Translate the viewer into German', description: 'Labels, buttons and dates follow the browser language.' },
];
const PARAPHRASE = 'sign-in keeps failing';

let env: CliEnv;
const children: ChildProcess[] = [];
const clients: Client[] = [];

beforeEach(async () => {
  env = { dataDir: await tempDataDir(), port: await freePort(), extra: { BACKLOG_SEARCH: 'deep' } };
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  const pids = children.splice(0).flatMap((child) => (child.pid && child.exitCode === null ? [child.pid] : []));
  await killServers(env.dataDir, pids);
  await removeDir(env.dataDir);
});

const base = () => `http://127.0.0.1:${env.port}`;

const serve = (): Promise<ChildProcess> => serveForeground(env, (child) => children.push(child));

async function connect(): Promise<Client> {
  const client = await connectHttp(base(), 'deep-search-test');
  clients.push(client);
  return client;
}

/** `backlog-mcp stop`, as a user stops the server; resolves once the process is gone. */
async function stop(child: ChildProcess): Promise<void> {
  const stopped = await runCli(['stop'], env);
  expect(stopped.code, stopped.stderr).toBe(0);
  await waitFor(() => child.exitCode !== null, HANG.condition, 'serve to exit');
}

/** /health once the backlog is loaded (before, it only says `ready: false`). */
async function health(): Promise<Health> {
  return waitFor(
    async () => {
      const response = await fetch(`${base()}/health`, { headers: envAuth(env) });
      expect(response.status).toBe(200);
      const body = (await response.json()) as Health & { ready?: boolean };
      return body.ready === false ? undefined : body;
    },
    HANG.condition,
    'the backlog to be ready',
  );
}

async function semantic(): Promise<Semantic> {
  const state = (await health()).semantic;
  if (!state) throw new Error('/health has no semantic state in deep mode');
  return state;
}

/** Waits until the encoder is loaded and no item waits for it; returns that state. */
function settled(): Promise<Semantic> {
  return waitFor(
    async () => {
      const state = await semantic();
      return state.encoder === 'ready' && state.pending === 0 ? state : undefined;
    },
    ENCODER_LOAD,
    'the encoder to load and encode every item',
  );
}

const search = (client: Client, query: string) => call<Found>(client, 'backlog_search', { query });

/** Creates ITEMS in order (the first is TASK-0001); returns their IDs. */
async function createItems(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for (const item of ITEMS) ids.push((await call<{ id: string }>(client, 'backlog_create', item)).id);
  return ids;
}

describe('search mode deep', () => {
  it('sends a paraphrase to the encoder and ranks by it; keyword and ID queries never reach it', async () => {
    await serve();
    const client = await connect();
    const [auth, dark] = await createItems(client);
    expect(auth).toBe('TASK-0001');
    const ready = await settled();
    expect(ready.encoded).toBe(ITEMS.length);

    const paraphrase = await search(client, PARAPHRASE);
    expect(paraphrase.search_mode).toBe('deep');
    expect(paraphrase.results[0]?.id).toBe(auth);
    const afterParaphrase = await semantic();
    expect(afterParaphrase.queries).toBe(ready.queries + 1);

    const keyword = await search(client, 'dark mode');
    expect(keyword.search_mode).toBe('deep');
    expect(keyword.results[0]?.id).toBe(dark);
    const byId = await search(client, 'TASK-0001');
    expect(byId.results[0]?.id).toBe('TASK-0001');
    expect((await semantic()).queries).toBe(afterParaphrase.queries);
  });

  it('re-encodes nothing unchanged after a restart, and an edited item once', async () => {
    const first = await serve();
    let client = await connect();
    const [auth, dark] = await createItems(client);
    expect((await settled()).encoded).toBe(ITEMS.length);
    await client.close();
    await stop(first);

    await serve();
    client = await connect();
    const restarted = await settled();
    expect(restarted).toMatchObject({ encoded: 0, pending: 0 });
    // The cached vectors answer: the paraphrase still finds the item by meaning.
    const found = await search(client, PARAPHRASE);
    expect(found.search_mode).toBe('deep');
    expect(found.results[0]?.id).toBe(auth);

    await call(client, 'backlog_update', {
      id: dark,
      description: 'Follow the system colour preference, with a toggle in the header.',
    });
    const edited = await until(semantic, (state) => state.encoded >= 1 && state.pending === 0, ENCODER_LOAD);
    expect(edited).toMatchObject({ encoder: 'ready', encoded: 1, pending: 0 });
  });

  it('answers /version within 100 ms while it encodes 1,000 items, and makes progress', async () => {
    await writeItems(env.dataDir, 1_000);
    const child = await serve();
    const start = await waitFor(
      async () => {
        const state = await semantic();
        return state.encoder === 'ready' && state.pending > 0 ? state : undefined;
      },
      ENCODER_LOAD,
      'the encoder to load with items still waiting',
    );

    // 30 moments spread over the encoding; at each, /version must answer within 100 ms. On a loaded
    // 2-core machine any process misses a time slice now and then (an idle hybrid server, no
    // encoder, beside three busy processes: up to 60 ms; in a full suite run 2 of 30 probes took
    // 330-390 ms), so a probe over budget is asked again at once (at most twice) and at most 3 of
    // the 30 may need that. An event loop held by encoding would be slow again and again.
    const raw: number[] = [];
    const best: number[] = [];
    const first: number[] = [];
    const probe = async (): Promise<number> => {
      const started = performance.now();
      const response = await fetch(`${base()}/version`);
      const body = await response.text();
      const ms = performance.now() - started;
      expect(response.status, body).toBe(200);
      raw.push(ms);
      return ms;
    };
    for (let i = 0; i < 30; i++) {
      let ms = await probe();
      first.push(ms);
      for (let again = 0; again < 2 && ms >= BUDGET_MS; again++) ms = Math.min(ms, await probe());
      best.push(ms);
      // Spacing between probes, not a wait for a condition.
      await sleep(75);
    }
    // Every probe overlapped the encoding: items still wait after the last one.
    const after = await semantic();
    expect(after.pending).toBeGreaterThan(0);
    const seen = `/version times (ms, every request): ${raw.map((t) => t.toFixed(1)).join(', ')}`;
    expect(Math.max(...best), seen).toBeLessThan(BUDGET_MS);
    expect(first.filter((ms) => ms >= BUDGET_MS).length, seen).toBeLessThanOrEqual(3);
    expect(median(raw), seen).toBeLessThan(BUDGET_MS / 2);

    const progressed = await until(semantic, (state) => state.pending < start.pending && state.encoded > 0);
    expect(progressed.pending).toBeLessThan(start.pending);
    expect(progressed.encoded).toBeGreaterThan(0);
    await stop(child);
  });
});

describe.each(['hybrid', 'text'] as const)('search mode %s', (mode) => {
  it(`reports search_mode "${mode}" and no encoder state in /health`, async () => {
    env.extra = { BACKLOG_SEARCH: mode };
    await serve();
    const client = await connect();
    const [auth] = await createItems(client);
    const found = await search(client, 'token refresh');
    expect(found.search_mode).toBe(mode);
    expect(found.results[0]?.id).toBe(auth);
    const state = await health();
    expect(state.search_mode).toBe(mode);
    expect(state).not.toHaveProperty('semantic');
  });
});

/**
 * Item files written straight to disk, as a backlog of 1,000 real items looks: a title and a body
 * of 40-80 words, every text different (so every item needs its own vector).
 */
async function writeItems(dataDir: string, count: number): Promise<void> {
  const subjects = [
    'The login page',
    'The nightly export job',
    'The search index',
    'The billing webhook',
    'The mobile app',
    'The CSV importer',
    'The dashboard chart',
    'The deploy pipeline',
    'The notification service',
    'The admin panel',
    'The invoice generator',
    'The onboarding wizard',
  ];
  const problems = [
    'times out after thirty seconds whenever the database is under heavy load',
    'shows stale numbers until somebody clears the cache by hand',
    'crashes with an out of memory error on accounts with many projects',
    'sends the same email twice when the first attempt is retried',
    'ignores the time zone of the user and shows dates one day off',
    'loses unsaved changes when the session expires in the background',
    'renders a blank screen on older Android phones with small screens',
    'rejects files larger than ten megabytes without saying why',
  ];
  const contexts = [
    'Customers on the enterprise plan reported it twice this week.',
    'It started right after the last dependency upgrade went out.',
    'Support has a workaround, but it takes them twenty minutes per ticket.',
    'We saw it in the staging environment first and ignored it.',
    'The error rate climbs every Monday morning when traffic peaks.',
    'Nobody on the current team knows who wrote this part of the code.',
  ];
  const asks = [
    'Find the root cause, add a regression test and a metric so that we notice next time.',
    'Write down the steps to reproduce it, then fix it behind a feature flag.',
    'Decide whether to patch the old code or replace the component before the next release.',
    'Pair with the on-call engineer to confirm the fix in production and close the incident.',
  ];
  const tasks = join(dataDir, 'tasks');
  await mkdir(tasks, { recursive: true });
  await mkdir(join(dataDir, 'resources'), { recursive: true });
  const at = (list: readonly string[], n: number) => list[n % list.length] as string;
  const files: Array<[string, string]> = [];
  for (let i = 1; i <= count; i++) {
    const id = `TASK-${String(i).padStart(4, '0')}`;
    const subject = at(subjects, i);
    const problem = at(problems, Math.floor(i / subjects.length));
    const title = `${subject} ${problem.split(' ').slice(0, 4).join(' ')} (case ${i})`;
    const body = [
      `${subject} ${problem}.`,
      at(contexts, i * 7),
      `This is case ${i}, first seen in build ${1000 + i} by the ${at(['web', 'api', 'data', 'ops'], i)} team.`,
      at(asks, i * 3),
      i % 2 ? at(contexts, i * 5 + 1) : '',
    ]
      .filter(Boolean)
      .join(' ');
    const words = body.split(/\s+/).length;
    if (words < 40 || words > 80) throw new Error(`item ${id} has ${words} words, expected 40-80`);
    const stamp = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
    files.push([
      id,
      `---\nid: ${id}\ntitle: ${title}\nstatus: open\ntype: task\ncreated_at: ${stamp}\nupdated_at: ${stamp}\n---\n${body}\n`,
    ]);
  }
  for (let i = 0; i < files.length; i += 200) {
    await Promise.all(files.slice(i, i + 200).map(([id, text]) => writeFile(join(tasks, `${id}.md`), text)));
  }
}
