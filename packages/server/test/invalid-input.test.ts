import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotFiles } from './support/files.js';
import { call, callError, type Harness, openHarness } from './support/servers.js';

/**
 * Point 7 of the foundation: every bad input is an isError result that names
 * the field and what was expected, and nothing on disk changes.
 */
describe('invalid input is refused clearly and changes nothing', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await openHarness('stdio');
    await call(h.client, 'backlog_create', { title: 'An epic', type: 'epic' }); // EPIC-0001
    await call(h.client, 'backlog_create', { title: 'Parent task' }); // TASK-0001
    await call(h.client, 'backlog_create', { title: 'Child task', parent_id: 'TASK-0001' }); // TASK-0002
    await call(h.client, 'backlog_create', { title: 'An artifact', type: 'artifact' }); // ARTF-0001
  });
  afterAll(async () => {
    await h?.close();
  });

  const cases: Array<[string, string, Record<string, unknown>, RegExp[]]> = [
    ['create without a title', 'backlog_create', {}, [/title/i, /expected string/i]],
    ['create with a numeric title', 'backlog_create', { title: 42 }, [/title/, /number/]],
    ['create with a blank title', 'backlog_create', { title: '   ' }, [/title/, /non-empty/]],
    ['create with a two-line title', 'backlog_create', { title: 'a\nb' }, [/title/, /single line/]],
    ['create with an unknown type', 'backlog_create', { title: 't', type: 'bug' }, [/type/, /task/, /'bug'/]],
    ['create with a misspelt field', 'backlog_create', { title: 't', titel: 'x' }, [/titel/]],
    ['create in a missing epic', 'backlog_create', { title: 't', epic_id: 'EPIC-0042' }, [/epic_id/, /EPIC-0042/]],
    ['create with a task as epic', 'backlog_create', { title: 't', epic_id: 'TASK-0001' }, [/epic_id/, /is a task/]],
    ['create with a wrong prefix', 'backlog_create', { title: 't', parent_id: 'FOO-1' }, [/parent_id/, /TASK-0001/]],
    [
      'create under a missing parent',
      'backlog_create',
      { title: 't', parent_id: 'FLDR-0009' },
      [/parent_id/, /FLDR-0009/],
    ],
    ['create under an artifact', 'backlog_create', { title: 't', parent_id: 'ARTF-0001' }, [/parent_id/, /artifact/]],
    [
      'create with an impossible date',
      'backlog_create',
      { title: 't', due_date: '2026-02-30' },
      [/due_date/, /YYYY-MM-DD/],
    ],
    ['create with a word as date', 'backlog_create', { title: 't', due_date: 'tomorrow' }, [/due_date/]],
    ['create with a reference without url', 'backlog_create', { title: 't', references: [{ title: 'x' }] }, [/url/]],
    [
      'create with a description and a source_path',
      'backlog_create',
      { title: 't', description: 'd', source_path: '/etc/hostname' },
      [/source_path/],
    ],
    ['create from a folder', 'backlog_create', { title: 't', source_path: '/tmp' }, [/source_path/, /regular file/]],
    ['update an unknown item', 'backlog_update', { id: 'TASK-0404', status: 'done' }, [/id/, /TASK-0404/]],
    [
      'update with an unknown status',
      'backlog_update',
      { id: 'TASK-0001', status: 'finished' },
      [/status/, /in_progress/],
    ],
    [
      'update a parent into its child',
      'backlog_update',
      { id: 'TASK-0001', parent_id: 'TASK-0002' },
      [/parent_id/, /cycle/],
    ],
    ['update a parent to itself', 'backlog_update', { id: 'TASK-0001', parent_id: 'TASK-0001' }, [/parent_id/]],
    ['update the title to null', 'backlog_update', { id: 'TASK-0001', title: null }, [/title/]],
    ['update with an epic_id on an epic', 'backlog_update', { id: 'EPIC-0001', epic_id: 'EPIC-0001' }, [/epic_id/]],
    ['get with a number', 'backlog_get', { id: 7 }, [/id/]],
    ['delete an unknown item', 'backlog_delete', { id: 'TASK-0999' }, [/id/, /TASK-0999/]],
    ['delete a malformed ID', 'backlog_delete', { id: 'TASK-abc' }, [/id/, /TASK-0001/]],
    ['search for nothing', 'backlog_search', { query: '' }, [/query/]],
    ['list with limit 0', 'backlog_list', { limit: 0 }, [/limit/]],
    ['list with a huge limit', 'backlog_list', { limit: 1_000_000 }, [/limit/, /1000/]],
    ['context without a target', 'backlog_context', {}, [/task_id/]],
    ['context of a missing item', 'backlog_context', { task_id: 'TASK-0777' }, [/task_id/, /TASK-0777/]],
    [
      'write outside resources/',
      'write_resource',
      { uri: 'mcp://backlog/resources/../tasks/TASK-0001.md', operation: { type: 'append', new_str: 'x' } },
      [/uri/],
    ],
    [
      'write through an encoded ..',
      'write_resource',
      { uri: 'mcp://backlog/resources/%2e%2e/%2e%2e/etc/passwd', operation: { type: 'append', new_str: 'x' } },
      [/uri/],
    ],
    [
      'write to a file: URI',
      'write_resource',
      { uri: 'file:///etc/passwd', operation: { type: 'append', new_str: 'x' } },
      [/uri/, /mcp:\/\/backlog/],
    ],
    [
      'write with an unknown operation',
      'write_resource',
      { uri: 'mcp://backlog/tasks/TASK-0001.md', operation: { type: 'delete' } },
      [/type/, /str_replace/],
    ],
    [
      'str_replace without old_str',
      'write_resource',
      { uri: 'mcp://backlog/tasks/TASK-0001.md', operation: { type: 'str_replace', new_str: 'x' } },
      [/old_str/],
    ],
    [
      'insert past the end',
      'write_resource',
      { uri: 'mcp://backlog/tasks/TASK-0001.md', operation: { type: 'insert', insert_line: 99, new_str: 'x' } },
      [/insert_line/, /0 to/],
    ],
    [
      'write to a missing item',
      'write_resource',
      { uri: 'mcp://backlog/tasks/TASK-0555.md', operation: { type: 'append', new_str: 'x' } },
      [/uri/, /TASK-0555/],
    ],
  ];

  it.each(cases)('%s', async (_name, tool, args, patterns) => {
    const before = await snapshotFiles(h.dataDir);
    const message = await callError(h.client, tool, args);
    for (const pattern of patterns) expect(message).toMatch(pattern);
    expect(await snapshotFiles(h.dataDir)).toEqual(before);
  });

  it('accepts list arguments sent as JSON text, as some clients do', async () => {
    const result = await call<{ item: { references: unknown[] } }>(h.client, 'backlog_create', {
      title: 'From a stringly client',
      references: JSON.stringify([{ url: 'https://example.com' }]),
    });
    expect(result.item.references).toEqual([{ url: 'https://example.com' }]);
  });
});
