// GET /api/graph over real HTTP: the rows the viewer's dependency graph is built from.

import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, call, connectHttp, removeDir, startHttpServer, tempDataDir } from './support/servers.js';

interface Row {
  id: string;
  type: string;
  status: string;
  parent_id?: string;
  epic_id?: string;
  blocked_by?: string[];
  assignee?: string;
  lease_until?: string;
}

describe('GET /api/graph', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let dataDir: string;
  let client: Client;
  const ids: Record<string, string> = {};
  const create = async (args: Record<string, unknown>) =>
    (await call<{ id: string }>(client, 'backlog_create', args)).id;
  const get = async (query = '') => {
    const response = await fetch(`${server.url}/api/graph${query}`, { headers: authHeaders(server.url) });
    return { status: response.status, body: (await response.json()) as { rows: Row[]; total: number; error?: string } };
  };

  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startHttpServer(dataDir);
    client = await connectHttp(server.url);
    ids.epic = await create({ title: 'Graph epic', type: 'epic' });
    ids.other = await create({ title: 'Other epic', type: 'epic' });
    ids.outside = await create({ title: 'Outside blocker', epic_id: ids.other });
    ids.folder = await create({ title: 'Folder', type: 'folder', parent_id: ids.epic });
    ids.a = await create({ title: 'A', epic_id: ids.epic });
    ids.b = await create({ title: 'B', epic_id: ids.epic, parent_id: ids.folder, blocked_by: [ids.a, ids.outside] });
    await call(client, 'backlog_update', { id: ids.a, claim: true, agent: 'graph-agent' });
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await removeDir(dataDir);
  });

  it('returns every item as a compact row with blocked_by and the claim', async () => {
    const { status, body } = await get();
    expect(status).toBe(200);
    expect(body.total).toBe(6);
    const b = body.rows.find((row) => row.id === ids.b);
    expect(b).toMatchObject({ type: 'task', status: 'open', epic_id: ids.epic, parent_id: ids.folder });
    expect(b?.blocked_by?.sort()).toEqual([ids.a, ids.outside].sort());
    const a = body.rows.find((row) => row.id === ids.a);
    expect(a?.assignee).toBe('graph-agent');
    expect(Date.parse(a?.lease_until ?? '')).toBeGreaterThan(Date.now());
    expect(Object.keys(b ?? {})).not.toContain('description');
  });

  it('scopes to a root and everything under it, plus the outside blockers for the ready mark', async () => {
    const { status, body } = await get(`?root=${ids.epic}`);
    expect(status).toBe(200);
    expect(body.rows.map((row) => row.id).sort()).toEqual([ids.epic, ids.folder, ids.a, ids.b, ids.outside].sort());
    expect(body.rows.map((row) => row.id)).not.toContain(ids.other);
  });

  it('answers 404 for a root that does not exist and 400 for one that is not an ID', async () => {
    expect((await get('?root=EPIC-9999')).status).toBe(404);
    expect((await get('?root=nonsense')).status).toBe(400);
  });
});
