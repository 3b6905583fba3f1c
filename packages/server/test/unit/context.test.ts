import type { Item } from '@backlog-mcp/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/activity.js';
import type { CreateInput } from '../../src/core/backlog.js';
import { type MemoryBacklog, openMemoryBacklog } from './support/memory-ports.js';
import { rejection } from './support/rejection.js';

const me: Actor = { tool: 'test', name: 'me' };
const ref = (item: Item) => ({ id: item.id, title: item.title, status: item.status });

describe('context', () => {
  let env: MemoryBacklog;
  const make = async (input: CreateInput) => {
    env.clock.advance(1000);
    return env.backlog.create(input, me);
  };

  beforeEach(async () => {
    env = await openMemoryBacklog();
  });

  describe('of a task in an epic, with subtasks and references', () => {
    let epic: Item;
    let login: Item;
    let logout: Item;
    let validate: Item;
    let style: Item;
    let docs: Item;

    beforeEach(async () => {
      epic = await make({ title: 'Authentication', type: 'epic' });
      login = await make({ title: 'Login form', epic_id: epic.id });
      logout = await make({ title: 'Logout button', epic_id: epic.id });
      validate = await make({ title: 'Validate fields', parent_id: login.id });
      style = await make({ title: 'Style errors', parent_id: validate.id });
      docs = await make({
        title: 'Write the auth docs',
        references: [{ url: `mcp://backlog/tasks/${login.id}.md`, title: 'the form' }],
      });
      ({ item: login } = await env.backlog.update(
        login.id,
        {
          references: [
            { url: `https://tracker.example/browse/${logout.id}`, title: 'paired work' },
            { url: 'https://example.com/spec' },
          ],
        },
        me,
      ));
    });

    it('names the epic, the siblings, the children and the references both ways, as compact refs', async () => {
      const context = await env.backlog.context({ task_id: 'task-1' });
      expect(context.focal).toEqual(login);
      expect(context.epic).toEqual(ref(epic));
      expect(context).not.toHaveProperty('parent');
      expect(context.siblings).toEqual([ref(logout)]);
      expect(context.children).toEqual([ref(validate)]);
      expect(context.references).toEqual([
        { url: `https://tracker.example/browse/${logout.id}`, title: 'paired work', id: logout.id, status: 'open' },
        { url: 'https://example.com/spec' },
      ]);
      expect(context.referenced_by).toEqual([ref(docs)]);
      expect(context.waits_on).toEqual([]);
      expect(context.blocking).toEqual([]);
      expect(context).not.toHaveProperty('ancestors');
      expect(context).not.toHaveProperty('descendants');
    });

    it('names the parent of a subtask, and its siblings under that parent', async () => {
      const sibling = await make({ title: 'Trim input', parent_id: login.id });
      const context = await env.backlog.context({ task_id: validate.id });
      expect(context.parent).toEqual(ref(login));
      expect(context.siblings).toEqual([ref(sibling)]);
      expect(context.children).toEqual([ref(style)]);
    });

    it('reaches one level further with depth 2', async () => {
      const fromLogin = await env.backlog.context({ task_id: login.id, depth: 2 });
      expect(fromLogin.ancestors).toEqual([]);
      expect(fromLogin.descendants).toEqual([ref(style)]);
      const fromStyle = await env.backlog.context({ task_id: style.id, depth: 2 });
      expect(fromStyle.parent).toEqual(ref(validate));
      expect(fromStyle.ancestors).toEqual([ref(login)]);
    });

    it('gives whole items with include_content', async () => {
      const context = await env.backlog.context({ task_id: login.id, include_content: true });
      expect(context.epic).toEqual(epic);
      expect(context.children).toEqual([validate]);
      expect(context.referenced_by).toEqual([docs]);
    });

    it('shows a reference’s current status', async () => {
      await env.backlog.update(logout.id, { status: 'done' }, me);
      const context = await env.backlog.context({ task_id: login.id });
      expect(context.references[0]).toMatchObject({ id: logout.id, status: 'done' });
      expect(context.siblings).toEqual([{ ...ref(logout), status: 'done' }]);
    });
  });

  it('names what the task waits on and what waits on it', async () => {
    const api = await make({ title: 'API' });
    const ui = await make({ title: 'UI', blocked_by: [api.id] });
    const e2e = await make({ title: 'E2E', blocked_by: [ui.id] });
    const context = await env.backlog.context({ task_id: ui.id });
    expect(context.waits_on).toEqual([ref(api)]);
    expect(context.blocking).toEqual([ref(e2e)]);
  });

  it('lists the task’s own recent activity, newest first, at most ten', async () => {
    const task = await make({ title: 'busy' });
    const other = await make({ title: 'unrelated' });
    for (let n = 1; n <= 12; n++) {
      env.clock.advance(1000);
      await env.backlog.update(task.id, { evidence: [`step ${n}`] }, { tool: 'test', name: `agent-${n}` });
    }
    await env.backlog.update(other.id, { description: 'noise' }, me);
    const { activity } = await env.backlog.context({ task_id: task.id });
    expect(activity).toHaveLength(10);
    expect(activity.every((entry) => entry.id === task.id)).toBe(true);
    expect(activity[0]).toMatchObject({ action: 'updated', actor: 'agent-12', fields: ['evidence'] });
    expect(activity[9]).toMatchObject({ actor: 'agent-3' });
    expect(activity.map((entry) => entry.at)).toEqual([...activity.map((entry) => entry.at)].sort().reverse());
  });

  it('cuts a long body in the compact answer, and keeps it whole with include_content', async () => {
    const body = `${'a'.repeat(2000)}${'b'.repeat(500)}`;
    const task = await make({ title: 'long', description: body });
    const compact = await env.backlog.context({ task_id: task.id });
    expect(compact.focal.description).toBe(`${'a'.repeat(2000)}\n… (500 more characters: backlog_get)`);
    const full = await env.backlog.context({ task_id: task.id, include_content: true });
    expect(full.focal.description).toBe(body);
  });

  it('suggests other active items sharing labels, most in common first, not siblings or finished ones', async () => {
    const epic = await make({ title: 'epic', type: 'epic' });
    const focal = await make({ title: 'focal', epic_id: epic.id, labels: ['auth', 'ui'] });
    await make({ title: 'sibling', epic_id: epic.id, labels: ['auth', 'ui'] });
    const one = await make({ title: 'one label', labels: ['auth'] });
    const both = await make({ title: 'both labels', labels: ['ui', 'auth'] });
    const finished = await make({ title: 'done', labels: ['auth', 'ui'] });
    await env.backlog.update(finished.id, { status: 'done' }, me);
    const context = await env.backlog.context({ task_id: focal.id });
    expect(context.same_labels).toEqual([ref(both), ref(one)]);
  });

  it('adds the search index’s related items, unless asked not to', async () => {
    const focal = await make({ title: 'Password reset email' });
    const near = await make({ title: 'Password strength meter' });
    await make({ title: 'Unrelated chore' });
    const context = await env.backlog.context({ task_id: focal.id });
    expect(context.related).toEqual([{ ...ref(near), score: 0.333 }]);
    expect((await env.backlog.context({ task_id: focal.id, include_related: false })).related).toEqual([]);
  });

  it('finds the task from a query when no ID is given', async () => {
    await make({ title: 'Login form' });
    const logout = await make({ title: 'Logout button' });
    expect((await env.backlog.context({ query: 'logout' })).focal.id).toBe(logout.id);
  });

  it('says which field is wrong when the task cannot be found', async () => {
    const unknown = await rejection(env.backlog.context({ task_id: 'TASK-0099' }));
    expect(unknown.kind).toBe('not_found');
    expect(unknown.message).toBe(
      'task_id: no item TASK-0099 exists. Use backlog_list or backlog_search to find existing IDs.',
    );
    const noMatch = await rejection(env.backlog.context({ query: 'nothing like this' }));
    expect(noMatch.field).toBe('query');
    expect(noMatch.message).toBe('query: no item matches "nothing like this".');
    const neither = await rejection(env.backlog.context({ query: '  ' }));
    expect(neither.kind).toBe('invalid');
    expect(neither.message).toBe('task_id: expected a task_id, or a query describing the task, received nothing.');
  });
});
