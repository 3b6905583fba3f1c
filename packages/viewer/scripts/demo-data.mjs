// A small, realistic backlog written through real MCP clients (so the journal has real actors).
// Used by scripts/screenshots.mjs and handy for a local demo (the token is the server's, from
// <data folder>/.state/server.token):
//   BACKLOG_TOKEN=… node packages/viewer/scripts/demo-data.mjs http://127.0.0.1:3999
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** An MCP client as `name`; `headers` carry the server's token, and `x-backlog-dir` binds it to a project's backlog. */
export async function connect(baseUrl, name, headers = {}) {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers } }));
  return client;
}

async function call(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name}: ${result.content.map((c) => c.text).join(' ')}`);
  return result.structuredContent;
}

const RANKING_BODY = `Hybrid search merges BM25 and vector results with **reciprocal rank fusion** (RRF).
This task tunes \`k\` and the per-field boosts against the judged query set.

## Plan

- [x] Build the judged set (120 queries, graded 0–3)
- [x] Measure BM25 alone and vectors alone
- [ ] Sweep \`k\` ∈ {10, 30, 60, 120}
- [ ] Pick boosts for title / body / evidence

| mode     | nDCG@10 | MRR  | p95 latency |
|----------|--------:|-----:|------------:|
| BM25     | 0.612   | 0.58 | 2.1 ms      |
| vectors  | 0.644   | 0.61 | 9.8 ms      |
| **RRF**  | **0.701** | **0.67** | 11.4 ms |

\`\`\`ts
export function rrf(lists: string[][], k = 60): Map<string, number> {
  const scores = new Map<string, number>();
  for (const list of lists)
    list.forEach((id, rank) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + rank + 1)));
  return scores;
}
\`\`\`

\`\`\`mermaid
flowchart LR
  Q[query] --> B[BM25]
  Q --> V[embedder]
  V --> C[cosine top-k]
  B --> F{RRF}
  C --> F
  F --> R[ranked results]
\`\`\`

> Keep the judged set out of the tuning loop's training data.
`;

const create = (c, args) => call(c, 'backlog_create', args).then((r) => r.id);

export async function seedDemo(baseUrl, headers = {}) {
  const claude = await connect(baseUrl, 'claude-code', headers);
  const codex = await connect(baseUrl, 'codex', headers);
  const cursor = await connect(baseUrl, 'cursor-agent', headers);
  const update = (c, args) => call(c, 'backlog_update', args);

  const search = await create(claude, {
    type: 'epic',
    title: 'Search quality',
    description: 'Make spotlight and `backlog_search` find the right item on the first try.',
  });
  const viewer = await create(claude, {
    type: 'epic',
    title: 'Web viewer',
    description: 'A live window on what the agents are doing.',
  });
  const docs = await create(codex, { type: 'folder', title: 'Documentation' });
  const release = await create(codex, { type: 'milestone', title: 'v0.2 — hybrid search', due_date: '2026-12-15' });

  const rrf = await create(claude, {
    title: 'Tune reciprocal rank fusion weights',
    epic_id: search,
    parent_id: release,
    labels: ['search', 'ranking'],
    description: RANKING_BODY,
    references: [
      { url: 'https://plg.uwaterloo.ca/~gvcormac/cormacksigir09-rrf.pdf', title: 'Cormack et al., RRF (SIGIR 2009)' },
    ],
  });
  const embed = await create(codex, {
    title: 'Cache embeddings on disk keyed by content hash',
    epic_id: search,
    labels: ['search', 'perf'],
    description:
      'Restarting the server should re-embed nothing that did not change.\n\n- hash: sha-256 of title + body\n- store: `vectors/<hash>.f32`',
  });
  const typo = await create(cursor, {
    title: 'Typo tolerance for IDs and short words',
    epic_id: search,
    labels: ['search'],
    description: '`tsk-12`, `Task 12` and `TASK-0012` should all find the same item.',
  });
  const sse = await create(claude, {
    title: 'Stream changes over SSE with Last-Event-ID replay',
    epic_id: viewer,
    description: 'Reconnecting clients replay what they missed; a heartbeat keeps proxies from closing the stream.',
  });
  const virtual = await create(cursor, {
    title: 'Virtualised list for 10,000 items',
    epic_id: viewer,
    labels: ['frontend', 'perf'],
    description: 'Fixed-height rows, pages of 100 fetched on demand.',
  });
  const dark = await create(cursor, {
    title: 'Dark mode and phone layout',
    epic_id: viewer,
    labels: ['frontend', 'ux'],
  });
  const xss = await create(codex, {
    title: 'Sanitise rendered Markdown (DOMPurify)',
    epic_id: viewer,
    labels: ['frontend', 'security'],
    description: 'A title or body with `<script>` or `onerror=` must stay inert.',
  });
  const adr = await create(codex, { title: 'ADR: viewer stack', parent_id: docs, type: 'artifact' });
  const readme = await create(claude, { title: 'README: screenshots and keyboard shortcuts', parent_id: docs });
  const bench = await create(codex, {
    title: 'Benchmark write → visible latency',
    epic_id: viewer,
    description: 'Median of 20 MCP writes until the row shows up in the page.',
  });
  const flaky = await create(cursor, {
    title: 'Flaky watcher test on macOS',
    labels: ['bug', 'tests'],
    description: 'fsevents coalesces renames.',
  });

  await update(claude, {
    id: embed,
    status: 'done',
    evidence: ['Restart after 10k items: 0 re-embeds (bench/run.mjs)'],
  });
  await update(codex, {
    id: sse,
    status: 'done',
    evidence: ['packages/server/test/http.test.ts: replay after reconnect'],
  });
  await update(cursor, { id: virtual, status: 'in_progress' });
  await update(claude, { id: rrf, status: 'in_progress', priority: 'high' }).catch(() =>
    update(claude, { id: rrf, status: 'in_progress' }),
  );
  await update(codex, {
    id: typo,
    status: 'blocked',
    blocked_reason: ['Waiting for the judged query set to include ID-style queries'],
  });
  await update(codex, { id: xss, status: 'done', evidence: ['viewer-xss test: no dialog, no injected element'] });
  await update(cursor, { id: flaky, status: 'cancelled' });
  await update(claude, { id: adr, status: 'done' });
  await update(claude, { id: readme, status: 'in_progress' });
  await update(cursor, { id: dark, status: 'open' }).catch(() => undefined);
  await update(codex, { id: bench, title: 'Benchmark MCP write → visible in the viewer' });
  // What waits on what, for the dependency graph.
  await update(codex, { id: bench, blocked_by: [sse] });
  await update(cursor, { id: dark, blocked_by: [virtual] });
  await update(cursor, { id: typo, blocked_by: [rrf] });
  await update(claude, { id: rrf, blocked_by: [embed] });
  const graph = await create(claude, {
    title: 'Dependency graph view',
    epic_id: viewer,
    labels: ['frontend'],
    blocked_by: [dark, bench],
  });
  const board = await create(codex, { title: 'Live board view', epic_id: viewer, blocked_by: [virtual, sse] });
  await create(cursor, { title: 'Screenshots of every view', parent_id: docs, blocked_by: [graph, board] });

  await Promise.all([claude.close(), codex.close(), cursor.close()]);
  return { search, viewer, docs, release, rrf, embed, typo, sse, virtual, dark, xss, adr, readme, bench, flaky };
}

/**
 * A project's own backlog (`<project>/.backlog/`), written by an agent bound to it; `[title, status]`
 * pairs. Returns the client, still connected, so the switcher shows a session on the project.
 */
export async function seedProject(baseUrl, headers, backlogDir, agent, items) {
  const client = await connect(baseUrl, agent, { ...headers, 'x-backlog-dir': backlogDir });
  for (const [title, status] of items) {
    const id = await create(client, { title });
    if (status !== 'open') await call(client, 'backlog_update', { id, status });
  }
  return client;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const base = process.argv[2] ?? 'http://127.0.0.1:3030';
  const token = process.env.BACKLOG_TOKEN;
  seedDemo(base, token ? { authorization: `Bearer ${token}` } : {}).then((ids) => console.log(ids));
}
