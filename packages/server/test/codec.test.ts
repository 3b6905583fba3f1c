import type { Item } from '@backlog-mcp/shared';
import { describe, expect, it } from 'vitest';
import { type DecodeResult, decodeItem, encodeItem, FRONT_MATTER_LIMITS } from '../src/format/item-markdown.js';

const MTIME = '2026-03-04T05:06:07.000Z';

function task(overrides: Partial<Item> = {}): Item {
  return {
    id: 'TASK-0001',
    type: 'task',
    title: 'Fix authentication flow',
    status: 'open',
    description: 'The authentication flow has an issue.\n',
    version: 1,
    created_at: '2026-01-01T10:00:00.000Z',
    updated_at: '2026-01-02T11:00:00.000Z',
    ...overrides,
  };
}

/** Decodes and fails the test with the decoder's own message when it refuses the file. */
function decodeOk(text: string, fileId = 'TASK-0001', mtime = MTIME): Item {
  const result = decodeItem(text, fileId, mtime);
  if (!result.ok) throw new Error(`expected the file to decode, got: ${result.error}`);
  return result.item;
}

function decodeError(text: string, fileId = 'TASK-0001'): string {
  const result: DecodeResult = decodeItem(text, fileId, MTIME);
  if (result.ok) throw new Error(`expected a decode error, got item ${JSON.stringify(result.item)}`);
  return result.error;
}

function roundTrip(item: Item): Item {
  return decodeOk(encodeItem(item), item.id);
}

function frontMatterKeys(text: string): string[] {
  const yaml = text.split('\n---\n')[0] as string;
  return yaml
    .split('\n')
    .slice(1)
    .filter((line) => /^[a-z_]+:/.test(line))
    .map((line) => line.slice(0, line.indexOf(':')));
}

describe('encodeItem → decodeItem round trip', () => {
  it('returns an equal item with every field set', () => {
    const item = task({
      epic_id: 'EPIC-0002',
      parent_id: 'FLDR-0001',
      references: [
        { url: 'https://github.com/org/repo/issues/123', title: 'Related issue' },
        { url: 'mcp://backlog/tasks/TASK-0007.md' },
      ],
      evidence: ['Fixed in PR #45', 'CI green: build #9'],
      blocked_reason: ['Waiting on: the API team'],
      status: 'blocked',
    });
    expect(roundTrip(item)).toEqual(item);
  });

  it('round-trips the coordination fields: priority, dependencies, claim and version', () => {
    const item = task({
      priority: 'high',
      blocked_by: ['TASK-0002', 'EPIC-0001'],
      assignee: 'claude-code#1a2b3c4d',
      lease_until: '2026-01-02T11:30:00.000Z',
      version: 42,
    });
    expect(roundTrip(item)).toEqual(item);
  });

  it('reads a file without a version as version 1, and refuses an unknown priority', () => {
    expect(decodeOk('---\ntitle: x\n---\n').version).toBe(1);
    expect(decodeError('---\ntitle: x\npriority: urgent\n---\n')).toMatch(/priority/);
  });

  it('keeps a milestone due date as the same string', () => {
    const item = task({ id: 'MLST-0003', type: 'milestone', due_date: '2026-12-31' });
    expect(roundTrip(item)).toEqual(item);
  });

  it.each([
    ['colon-space', 'Fix: login breaks'],
    ['hash', '# not a comment'],
    ['inline hash', 'Ticket #42 follow-up'],
    ['double quotes', 'Say "hello"'],
    ['single quotes', "It's 'quoted'"],
    ['three dashes', '---'],
    ['leading zero number', '0123'],
    ['YAML 1.1 boolean', 'yes'],
    ['boolean', 'true'],
    ['null', 'null'],
    ['tilde', '~'],
    ['date', '2024-01-01'],
    ['float', '1.50'],
    ['hex', '0x1F'],
    ['flow sequence', '[draft] spec'],
    ['flow map', '{x}'],
    ['anchor and alias', '&a *b'],
    ['tag', '!important'],
    ['list marker', '- item'],
    ['block scalar indicator', '|'],
    ['leading and trailing spaces', '  padded  '],
    ['Unicode and emoji', 'Café 🚀 日本語 ‽'],
  ])('keeps a title with %s exactly: %j', (_label, title) => {
    expect(roundTrip(task({ title })).title).toBe(title);
  });

  it.each([
    ['empty', ''],
    ['no trailing newline', 'one line'],
    ['starting with one newline', '\nafter a blank line'],
    ['starting with several newlines', '\n\n\nthree blank lines first\n'],
    ['containing --- lines', 'intro\n---\nmiddle\n---\n'],
    ['starting with ---', '---\nhorizontal rule first'],
    ['looking like front matter', '---\nid: TASK-9999\ntitle: fake\n---\nbody\n'],
    ['with CRLF line endings', 'line one\r\nline two\r\n'],
    ['starting with CRLF', '\r\nafter a CRLF'],
    ['with Unicode and emoji', 'Ünïcödé — “quotes” 😀👍🏽 中文\n'],
    ['with trailing whitespace', 'text   \n  \n\t\n'],
    ['only whitespace', '   '],
    ['with a byte order mark', '\uFEFFtext'],
    ['with YAML-looking content', 'status: done\ntype: epic\n'],
  ])('keeps a body %s byte for byte', (_label, description) => {
    expect(roundTrip(task({ description })).description).toBe(description);
  });

  // Regression: a body containing a Markdown setext heading underlined with exactly seven `=`
  // is rejected as a merge conflict, so an item the server wrote cannot be read back.
  it('keeps a body with a setext heading underlined by seven = signs', () => {
    const description = 'Overview\n=======\n\nDetails follow.\n';
    expect(roundTrip(task({ description })).description).toBe(description);
  });

  // Regression: U+2028 is not refused by requireTitle, but the codec's multiline regexes treat it as a
  // line break, so `title: a\u2028---` closes the front matter early and the item is mangled.
  it('keeps a title containing U+2028 followed by ---', () => {
    const item = task({ title: 'a\u2028---' });
    expect(roundTrip(item)).toEqual(item);
  });

  it('keeps unknown front matter keys through a round trip', () => {
    const item = task({
      extra: { severity: 'high', estimate: 3, components: ['auth', 'bug'], owner: { name: 'Ada' } },
    });
    expect(roundTrip(item).extra).toEqual(item.extra);
  });

  it('omits empty lists and absent optional fields', () => {
    const text = encodeItem(task({ evidence: [], blocked_reason: [], references: [] }));
    expect(text).not.toMatch(/evidence|blocked_reason|references|epic_id|parent_id|due_date/);
  });
});

describe('encodeItem layout', () => {
  it('writes front matter keys in the order id, title, status, type, then relations, lists and timestamps', () => {
    const text = encodeItem(
      task({
        due_date: '2026-05-01',
        blocked_reason: ['b'],
        evidence: ['e'],
        references: [{ url: 'https://x.test' }],
        parent_id: 'FLDR-0001',
        epic_id: 'EPIC-0001',
        extra: { zeta: 1 },
      }),
    );
    expect(frontMatterKeys(text)).toEqual([
      'id',
      'title',
      'status',
      'type',
      'epic_id',
      'parent_id',
      'due_date',
      'references',
      'evidence',
      'blocked_reason',
      'created_at',
      'updated_at',
      'version',
      'zeta',
    ]);
  });

  it('starts with a --- block and puts the body right after the closing ---', () => {
    const text = encodeItem(task({ description: 'Body text' }));
    expect(text.startsWith('---\nid: TASK-0001\ntitle: Fix authentication flow\nstatus: open\ntype: task\n')).toBe(
      true,
    );
    expect(text.endsWith('\n---\nBody text')).toBe(true);
  });

  it('lets extra keys not override known fields or the description', () => {
    const text = encodeItem(task({ extra: { id: 'TASK-9999', status: 'done', description: 'sneaky' } }));
    const item = decodeOk(text);
    expect(item.id).toBe('TASK-0001');
    expect(item.status).toBe('open');
    expect(text).not.toContain('sneaky');
  });

  it('drops undefined reference titles instead of writing null', () => {
    const text = encodeItem(task({ references: [{ url: 'https://x.test', title: undefined }] }));
    expect(text).not.toContain('null');
    expect(decodeOk(text).references).toEqual([{ url: 'https://x.test' }]);
  });
});

describe('decodeItem on hand-written files', () => {
  it('keeps a title written as 0123 as the text "0123"', () => {
    expect(decodeOk('---\ntitle: 0123\n---\n').title).toBe('0123');
  });

  it('keeps other numeric-looking and boolean-looking titles as typed', () => {
    expect(decodeOk('---\ntitle: 1.50\n---\n').title).toBe('1.50');
    expect(decodeOk('---\ntitle: true\n---\n').title).toBe('true');
    expect(decodeOk('---\ntitle: 0x1F\n---\n').title).toBe('0x1F');
  });

  it('keeps unquoted dates and timestamps as strings', () => {
    const item = decodeOk(
      '---\nid: MLST-0001\ntitle: Launch\ndue_date: 2026-06-30\ncreated_at: 2026-01-01T09:00:00Z\nupdated_at: 2026-01-02\n---\n',
      'MLST-0001',
    );
    expect(item.due_date).toBe('2026-06-30');
    expect(item.created_at).toBe('2026-01-01T09:00:00Z');
    expect(item.updated_at).toBe('2026-01-02');
  });

  it.each([
    ['TASK-0001', 'task'],
    ['EPIC-0002', 'epic'],
    ['FLDR-0003', 'folder'],
    ['ARTF-0004', 'artifact'],
    ['MLST-0005', 'milestone'],
  ])('derives the type of %s from its prefix when type is missing', (id, type) => {
    expect(decodeOk(`---\ntitle: Hand written\n---\n`, id).type).toBe(type);
  });

  it('takes the id from the file name when the front matter has none', () => {
    expect(decodeOk('---\ntitle: x\n---\n', 'EPIC-0042').id).toBe('EPIC-0042');
  });

  it('defaults a missing status to open', () => {
    expect(decodeOk('---\ntitle: x\n---\n').status).toBe('open');
  });

  it('falls back to the file mtime when both timestamps are missing', () => {
    const item = decodeOk('---\ntitle: x\n---\n');
    expect(item.created_at).toBe(MTIME);
    expect(item.updated_at).toBe(MTIME);
  });

  it('uses created_at for a missing updated_at', () => {
    const item = decodeOk('---\ntitle: x\ncreated_at: 2025-01-01T00:00:00Z\n---\n');
    expect(item.updated_at).toBe('2025-01-01T00:00:00Z');
  });

  it('preserves unknown keys in extra and writes them back', () => {
    const text = '---\ntitle: x\nseverity: high\nestimate: 3\ncomponents:\n  - a\n  - b\n---\nbody\n';
    const item = decodeOk(text);
    expect(item.extra).toEqual({ severity: 'high', estimate: 3, components: ['a', 'b'] });
    const again = decodeOk(encodeItem(item));
    expect(again.extra).toEqual(item.extra);
    expect(encodeItem(item)).toContain('severity: high');
  });

  it('reads hand-written labels as the labels field: trimmed, lower-case, unique, a single one as a list', () => {
    const item = decodeOk('---\ntitle: x\nlabels:\n  - " UI "\n  - Bug\n  - ui\n  - "0123"\n---\n');
    expect(item.labels).toEqual(['ui', 'bug', '0123']);
    expect(item.extra).toBeUndefined();
    expect(decodeOk('---\ntitle: x\nlabels: frontend\n---\n').labels).toEqual(['frontend']);
    expect(encodeItem(item)).toContain('labels:\n  - ui\n  - bug\n  - "0123"\n');
  });

  it('reads CRLF files and keeps the body CRLF', () => {
    const item = decodeOk('---\r\nid: TASK-0001\r\ntitle: Windows\r\nstatus: done\r\n---\r\nline\r\n');
    expect(item.title).toBe('Windows');
    expect(item.status).toBe('done');
    expect(item.description).toBe('line\r\n');
  });

  it('accepts a file that ends right after the closing ---', () => {
    expect(decodeOk('---\ntitle: x\n---').description).toBe('');
  });

  it('accepts single strings and bare URLs where lists are expected', () => {
    const item = decodeOk(
      '---\ntitle: x\nevidence: one proof\nreferences:\n  - https://a.test\n  - url: https://b.test\n    title: B\n---\n',
    );
    expect(item.evidence).toEqual(['one proof']);
    expect(item.references).toEqual([{ url: 'https://a.test' }, { url: 'https://b.test', title: 'B' }]);
  });
});

describe('decodeItem on broken files', () => {
  it('reports invalid YAML', () => {
    expect(decodeError('---\ntitle: [unclosed\n---\n')).toMatch(/invalid YAML/);
  });

  it('reports a file without front matter', () => {
    expect(decodeError('# Just markdown\n')).toMatch(/front matter/);
  });

  it('reports front matter that is never closed', () => {
    expect(decodeError('---\ntitle: x\nstatus: open\n')).toMatch(/not closed/);
  });

  it('reports front matter that is not a mapping', () => {
    expect(decodeError('---\n- a\n- b\n---\n')).toMatch(/mapping/);
  });

  it('reports an id that does not match the file name, naming both', () => {
    const error = decodeError('---\nid: TASK-0002\ntitle: x\n---\n', 'TASK-0001');
    expect(error).toContain('TASK-0002');
    expect(error).toContain('TASK-0001');
  });

  it('reports a non-canonical id even if it matches the file name', () => {
    expect(decodeError('---\nid: TASK-1\ntitle: x\n---\n', 'TASK-1')).toMatch(/not a valid ID/);
  });

  it('reports a type that does not fit the ID prefix', () => {
    const error = decodeError('---\ntitle: x\ntype: epic\n---\n', 'TASK-0001');
    expect(error).toContain('epic');
    expect(error).toContain('TASK-0001');
  });

  it('reports an unknown type', () => {
    expect(decodeError('---\ntitle: x\ntype: story\n---\n')).toContain('story');
  });

  it('reports a bad status and lists the allowed ones', () => {
    const error = decodeError('---\ntitle: x\nstatus: finished\n---\n');
    expect(error).toContain('finished');
    expect(error).toContain('in_progress');
  });

  it('reports a missing or blank title', () => {
    expect(decodeError('---\nstatus: open\n---\n')).toMatch(/title/);
    expect(decodeError('---\ntitle: "   "\n---\n')).toMatch(/title/);
  });

  it('reports merge-conflict markers in the front matter', () => {
    const text = '---\n<<<<<<< HEAD\ntitle: ours\n=======\ntitle: theirs\n>>>>>>> branch\n---\n';
    expect(decodeError(text)).toMatch(/merge-conflict/);
  });

  it('reports merge-conflict markers in the body', () => {
    const text = '---\ntitle: x\n---\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> main\n';
    expect(decodeError(text)).toMatch(/merge-conflict/);
  });

  it('reports duplicate keys', () => {
    expect(decodeError('---\ntitle: first\ntitle: second\n---\n')).toMatch(/unique|duplicate/i);
  });

  it('reports duplicate keys inside nested and flow mappings', () => {
    expect(decodeError('---\ntitle: x\nmeta:\n  a: 1\n  a: 2\n---\n')).toMatch(/unique.*"a"/i);
    expect(decodeError('---\ntitle: x\nmeta: {b: 1, c: 2, b: 3}\n---\n')).toMatch(/unique.*"b"/i);
  });
});

describe('decodeItem front matter caps', () => {
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}: v`).join('\n');

  it('refuses 30,000 top-level keys before parsing them', () => {
    // The message says the file was refused unparsed: that is what keeps the refusal cheap.
    expect(decodeError(`---\ntitle: x\n${keys(30_000)}\n---\n`)).toBe(
      `front matter has more than ${FRONT_MATTER_LIMITS.keys} keys; refused before parsing`,
    );
  });

  it('counts only top-level keys: the cap itself and nested keys are fine', () => {
    const atCap = decodeOk(`---\ntitle: x\n${keys(FRONT_MATTER_LIMITS.keys - 1)}\n---\n`);
    expect(Object.keys(atCap.extra ?? {})).toHaveLength(FRONT_MATTER_LIMITS.keys - 1);
    expect(decodeError(`---\ntitle: x\n${keys(FRONT_MATTER_LIMITS.keys)}\n---\n`)).toMatch(/more than 200 keys/);
    const nested = keys(1_000).replace(/^/gm, '  ');
    expect(decodeOk(`---\ntitle: x\nmeta:\n${nested}\n# comment: not a key\n---\n`).extra?.meta).toMatchObject({
      k999: 'v',
    });
  });

  it('refuses front matter over the size cap before parsing it', () => {
    const big = `note: ${'x'.repeat(FRONT_MATTER_LIMITS.chars)}`;
    expect(decodeError(`---\ntitle: x\n${big}\n---\n`)).toMatch(
      new RegExp(`front matter is over ${FRONT_MATTER_LIMITS.chars} characters .*refused before parsing`),
    );
  });

  it('still reads a realistic big item: 200 evidence entries of 1,000 characters, 50 references', () => {
    const item = task({
      evidence: Array.from({ length: 200 }, (_, i) => `${i}: ${'e'.repeat(995)}`),
      references: Array.from({ length: 50 }, (_, i) => ({
        url: `https://example.com/${i}/${'r'.repeat(2_000)}`,
        title: `Reference ${i}: ${'t'.repeat(200)}`,
      })),
    });
    expect(encodeItem(item).length).toBeGreaterThan(300_000);
    expect(roundTrip(item)).toEqual(item);
  });
});
