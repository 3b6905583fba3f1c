import { describe, expect, it } from 'vitest';
import { formatId, normalizeId, parseCanonicalId, typeOfId } from '../../shared/src/ids.js';
import { BacklogError } from '../src/core/errors.js';
import { requireDate, requireId, requireTitle } from '../src/core/rules.js';
import { itemUri, parseResourceUri } from '../src/core/uri.js';

function thrown(fn: () => unknown): BacklogError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BacklogError);
    return error as BacklogError;
  }
  throw new Error('expected a BacklogError');
}

describe('formatId', () => {
  it('pads the sequence to four digits', () => {
    expect(formatId('task', 1)).toBe('TASK-0001');
    expect(formatId('epic', 42)).toBe('EPIC-0042');
  });

  it('lets longer sequences grow past four digits', () => {
    expect(formatId('task', 12345)).toBe('TASK-12345');
  });

  it('uses the prefix of each type', () => {
    expect(['task', 'epic', 'folder', 'artifact', 'milestone'].map((t) => formatId(t as never, 7))).toEqual([
      'TASK-0007',
      'EPIC-0007',
      'FLDR-0007',
      'ARTF-0007',
      'MLST-0007',
    ]);
  });
});

describe('normalizeId', () => {
  it.each([
    ['task-12', 'TASK-0012'],
    ['Task 12', 'TASK-0012'],
    ['TASK-0012', 'TASK-0012'],
    ['TASK12', 'TASK-0012'],
    ['task_12', 'TASK-0012'],
    ['TASK-00012', 'TASK-0012'],
    ['  epic-3  ', 'EPIC-0003'],
    ['fldr-1', 'FLDR-0001'],
    ['artf-99999', 'ARTF-99999'],
    ['mlst-1', 'MLST-0001'],
  ])('accepts %j as %s', (input, canonical) => {
    expect(normalizeId(input)?.id).toBe(canonical);
  });

  it('returns the type and sequence number too', () => {
    expect(normalizeId('epic-0042')).toEqual({ id: 'EPIC-0042', type: 'epic', seq: 42 });
  });

  it.each(['TASK-', 'FOO-1', 'TASK-0', 'TASK-0000', '', 'TASK--1', 'TASK-1a', 'TASK-1.5', '12', 'TASK-0001.md'])(
    'rejects %j',
    (input) => {
      expect(normalizeId(input)).toBeNull();
    },
  );

  it('gives the type of any ID it accepts', () => {
    expect(typeOfId('mlst-2')).toBe('milestone');
    expect(typeOfId('nope')).toBeNull();
  });
});

describe('parseCanonicalId', () => {
  it('parses canonical IDs', () => {
    expect(parseCanonicalId('TASK-0001')).toEqual({ id: 'TASK-0001', type: 'task', seq: 1 });
    expect(parseCanonicalId('MLST-12345')).toEqual({ id: 'MLST-12345', type: 'milestone', seq: 12345 });
  });

  it.each([
    'task-0001',
    'TASK-1',
    'TASK-001',
    'TASK-00001',
    'TASK-0000',
    ' TASK-0001',
    'TASK-0001 ',
    'TASK 0001',
    'FOO-0001',
  ])('rejects non-canonical %j', (input) => {
    expect(parseCanonicalId(input)).toBeNull();
  });
});

describe('requireId', () => {
  it('returns the canonical form', () => {
    expect(requireId('epic_id', 'epic 7')).toBe('EPIC-0007');
  });

  it('names the field and shows an example when the ID is wrong', () => {
    const error = thrown(() => requireId('epic_id', 'FOO-1'));
    expect(error.field).toBe('epic_id');
    expect(error.message).toContain('TASK-0001');
    expect(error.message).toContain('"FOO-1"');
  });
});

describe('requireDate', () => {
  it.each(['2026-02-28', '2024-02-29', '2026-12-31', '2026-01-01'])('accepts the real date %s', (date) => {
    expect(requireDate('due_date', date)).toBe(date);
  });

  it.each([
    '2026-02-30',
    '2026-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-04-31',
    '2026-2-3',
    'tomorrow',
    '',
    '2026-02-28T00:00:00Z',
    '28/02/2026',
  ])('rejects %j, naming the field', (date) => {
    const error = thrown(() => requireDate('due_date', date));
    expect(error.field).toBe('due_date');
    expect(error.message).toContain('YYYY-MM-DD');
  });
});

describe('requireTitle', () => {
  it('accepts an ordinary one-line title, including Unicode and emoji', () => {
    expect(requireTitle('title', 'Fix: login 🚀 für Café')).toBe('Fix: login 🚀 für Café');
  });

  it.each([
    ['empty', ''],
    ['whitespace only', '   \t '],
    ['a newline', 'first\nsecond'],
    ['a carriage return', 'first\rsecond'],
    ['a NUL', 'bad\u0000title'],
    ['an escape character', 'red \u001b[31m'],
    ['a DEL character', 'bad\u007f'],
  ])('rejects a title with %s, naming the field', (_label, title) => {
    expect(thrown(() => requireTitle('title', title)).field).toBe('title');
  });

  // Regression: titles are meant to be one line, but U+2028/U+2029 (Unicode line/paragraph separators)
  // pass; the Markdown codec then treats U+2028 as a line break (see codec.test.ts).
  it.each([
    ['U+2028', 'a\u2028b'],
    ['U+2029', 'a\u2029b'],
  ])('rejects a title with %s', (_label, title) => {
    expect(thrown(() => requireTitle('title', title)).field).toBe('title');
  });
});

describe('parseResourceUri: items', () => {
  it('resolves an item URI to its ID', () => {
    expect(parseResourceUri('mcp://backlog/tasks/TASK-0001.md')).toEqual({ kind: 'item', id: 'TASK-0001' });
    expect(parseResourceUri('mcp://backlog/tasks/EPIC-12345.md')).toEqual({ kind: 'item', id: 'EPIC-12345' });
  });

  it('round-trips with itemUri', () => {
    expect(parseResourceUri(itemUri('MLST-0009'))).toEqual({ kind: 'item', id: 'MLST-0009' });
  });

  it.each([
    'mcp://backlog/tasks/task-1.md',
    'mcp://backlog/tasks/TASK-1.md',
    'mcp://backlog/tasks/TASK-00001.md',
    'mcp://backlog/tasks/TASK-0001',
    'mcp://backlog/tasks/TASK-0001.md?x=1',
    'mcp://backlog/tasks/../TASK-0001.md',
    'mcp://backlog/tasks/sub/TASK-0001.md',
    'mcp://other/tasks/TASK-0001.md',
    'https://backlog/tasks/TASK-0001.md',
  ])('rejects %j with field uri', (uri) => {
    const error = thrown(() => parseResourceUri(uri));
    expect(error.field).toBe('uri');
    expect(error.kind).toBe('invalid');
  });
});

describe('parseResourceUri: documents', () => {
  it.each([
    ['mcp://backlog/resources/log.md', 'log.md'],
    ['mcp://backlog/resources/notes/2026/plan.md', 'notes/2026/plan.md'],
    ['mcp://backlog/resources/my notes/log v2.md', 'my notes/log v2.md'],
    ['mcp://backlog/resources/my%20notes.md', 'my notes.md'],
    ['mcp://backlog/resources/caf%C3%A9.md', 'café.md'],
    ['mcp://backlog/resources/cafe\u0301.md', 'café.md'],
    ['mcp://backlog/resources/_draft-1.txt', '_draft-1.txt'],
  ])('resolves %j to the path %j', (uri, path) => {
    expect(parseResourceUri(uri)).toEqual({ kind: 'document', path });
  });

  it.each([
    ['parent segment', 'mcp://backlog/resources/../secret.md'],
    ['nested parent segment', 'mcp://backlog/resources/a/../../secret.md'],
    ['current segment', 'mcp://backlog/resources/./log.md'],
    ['percent-encoded dots', 'mcp://backlog/resources/%2e%2e/secret.md'],
    ['upper-case percent-encoded dots', 'mcp://backlog/resources/%2E%2E/secret.md'],
    ['encoded slash with traversal', 'mcp://backlog/resources/..%2F..%2Fetc%2Fpasswd'],
    ['absolute path', 'mcp://backlog/resources//etc/passwd'],
    ['encoded absolute path', 'mcp://backlog/resources/%2Fetc%2Fpasswd'],
    ['hidden file', 'mcp://backlog/resources/.hidden'],
    ['hidden directory', 'mcp://backlog/resources/.git/config'],
    ['backslash', 'mcp://backlog/resources/..\\secret.md'],
    ['encoded backslash', 'mcp://backlog/resources/..%5Csecret.md'],
    ['NUL', 'mcp://backlog/resources/log.md\u0000.txt'],
    ['encoded NUL', 'mcp://backlog/resources/log.md%00.txt'],
    ['fullwidth dots', 'mcp://backlog/resources/\uFF0E\uFF0E/secret.md'],
    ['encoded fullwidth dots', 'mcp://backlog/resources/%EF%BC%8E%EF%BC%8E/secret.md'],
    ['one-dot leader', 'mcp://backlog/resources/\u2024\u2024/secret.md'],
    ['right-to-left override', 'mcp://backlog/resources/log%E2%80%AEdm.txt'],
    ['zero-width space', 'mcp://backlog/resources/lo\u200Bg.md'],
    ['Windows drive letter', 'mcp://backlog/resources/C:/secret.md'],
    ['trailing dot', 'mcp://backlog/resources/log.'],
    ['trailing slash', 'mcp://backlog/resources/notes/'],
    ['empty path', 'mcp://backlog/resources/'],
    ['broken percent-encoding', 'mcp://backlog/resources/log%zz.md'],
    ['query string', 'mcp://backlog/resources/log.md?raw=1'],
  ])('rejects a %s with field uri', (_label, uri) => {
    const error = thrown(() => parseResourceUri(uri));
    expect(error.field).toBe('uri');
    expect(error.kind).toBe('invalid');
  });

  // Regression: an encoded slash is decoded into a real separator, so `notes%2Fplan.md` silently
  // becomes the nested path `notes/plan.md` instead of being refused.
  it('rejects an encoded slash inside a name', () => {
    expect(thrown(() => parseResourceUri('mcp://backlog/resources/notes%2Fplan.md')).field).toBe('uri');
  });
});

describe('newest-first order', () => {
  it('breaks timestamp ties by ID number, not text', async () => {
    const { newestFirst } = await import('../src/core/list.js');
    const at = '2026-01-01T00:00:00.000Z';
    const base = {
      type: 'task',
      status: 'open',
      title: 't',
      description: '',
      version: 1,
      created_at: at,
      updated_at: at,
    } as const;
    const items = [
      { ...base, id: 'TASK-9999' },
      { ...base, id: 'TASK-10000' },
    ];
    expect(items.sort(newestFirst).map((i) => i.id)).toEqual(['TASK-10000', 'TASK-9999']);
  });
});
