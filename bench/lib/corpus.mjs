// Writes a realistic backlog straight to disk (faster than creating through the server).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const DOMAIN = (
  'auth login session token cache index search query render layout button modal api endpoint schema ' +
  'migration database timeout retry queue worker deploy build pipeline test flaky coverage docs readme ' +
  'performance memory leak latency dashboard chart export import csv parser config env logging metrics ' +
  'alert billing invoice payment user profile avatar upload storage bucket permission role admin audit ' +
  'refactor cleanup bug crash error exception stack trace regression release version upgrade dependency ' +
  'mobile android ios web frontend backend server client proxy gateway load balancer kubernetes docker ' +
  'terraform monitoring dashboard grafana oncall incident postmortem runbook backup restore replica shard ' +
  'webhook notification email sms push template locale translation accessibility keyboard focus contrast'
).split(' ');
const SYLLABLES = 'ka lo mi ne su ta ri po fe da zu be gi ho ju ve xo ly wa qe'.split(' ');

/** Real backlogs have a long tail of rare words; a Zipf draw over a large vocabulary gives realistic posting lists. */
function vocabulary(rand, size) {
  const words = [...DOMAIN];
  while (words.length < size) {
    const n = 2 + Math.floor(rand() * 3);
    words.push(Array.from({ length: n }, () => pick(rand, SYLLABLES)).join(''));
  }
  return words;
}

function zipfSampler(rand, n, s = 1.07) {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = [];
  let acc = 0;
  for (const w of weights) {
    acc += w / total;
    cumulative.push(acc);
  }
  return () => {
    const r = rand();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function pick(rand, list) {
  return list[Math.floor(rand() * list.length)];
}

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

let WORDS = DOMAIN;
let draw = () => 0;

function sentence(n) {
  return Array.from({ length: n }, () => WORDS[draw()]).join(' ');
}

export async function writeCorpus(dataDir, size, seed = 42) {
  const rand = rng(seed);
  WORDS = vocabulary(rand, 20_000);
  // Shuffle the domain words into the head of the distribution, so common words are realistic ones.
  draw = zipfSampler(rand, WORDS.length);
  const tasks = join(dataDir, 'tasks');
  await mkdir(tasks, { recursive: true });
  await mkdir(join(dataDir, 'resources'), { recursive: true });
  const epics = Math.max(1, Math.round(size / 100));
  const folders = Math.max(1, Math.round(size / 200));
  const statuses = ['open', 'open', 'in_progress', 'blocked', 'done', 'done', 'done', 'cancelled'];
  const files = [];
  const stamp = (i) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  const front = (fields) =>
    `---\n${Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n')}\n---\n`;
  for (let i = 1; i <= epics; i++) {
    const id = `EPIC-${String(i).padStart(4, '0')}`;
    files.push([
      id,
      front({
        id,
        title: `Epic ${sentence(3)}`,
        status: 'open',
        type: 'epic',
        created_at: stamp(i),
        updated_at: stamp(i),
      }) + `${sentence(30)}\n`,
    ]);
  }
  for (let i = 1; i <= folders; i++) {
    const id = `FLDR-${String(i).padStart(4, '0')}`;
    files.push([
      id,
      front({
        id,
        title: `Folder ${sentence(2)}`,
        status: 'open',
        type: 'folder',
        created_at: stamp(i),
        updated_at: stamp(i),
      }),
    ]);
  }
  const taskCount = size - epics - folders;
  for (let i = 1; i <= taskCount; i++) {
    const id = `TASK-${String(i).padStart(4, '0')}`;
    const epic = rand() < 0.7 ? `EPIC-${String(1 + Math.floor(rand() * epics)).padStart(4, '0')}` : undefined;
    const parent = rand() < 0.3 ? `FLDR-${String(1 + Math.floor(rand() * folders)).padStart(4, '0')}` : undefined;
    const ref =
      i > 1 && rand() < 0.2
        ? `references:\n  - url: mcp://backlog/tasks/TASK-${String(1 + Math.floor(rand() * (i - 1))).padStart(4, '0')}.md`
        : undefined;
    const body = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => sentence(10 + Math.floor(rand() * 40))).join(
      '\n\n',
    );
    const fm = front({
      id,
      title: sentence(4 + Math.floor(rand() * 5)),
      status: pick(rand, statuses),
      type: 'task',
      epic_id: epic,
      parent_id: parent,
      created_at: stamp(i),
      updated_at: stamp(i + 7),
    });
    files.push([id, (ref ? fm.replace('\n---\n', `\n${ref}\n---\n`).replace(/^---\n/, '---\n') : fm) + `${body}\n`]);
  }
  for (let i = 0; i < files.length; i += 256) {
    await Promise.all(files.slice(i, i + 256).map(([id, text]) => writeFile(join(tasks, `${id}.md`), text)));
  }
  return { epics, folders, tasks: taskCount };
}
