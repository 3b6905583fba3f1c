import type { Item } from '@backlog-mcp/shared';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { decodeItem, encodeItemTraced } from '../../src/format/item-markdown.js';
import { isPlainScalar, plainYaml, scalar } from '../../src/format/plain-yaml.js';
import { random, randomText } from './support/yaml-fuzz.js';

const library = (front: Record<string, unknown>) => stringify(front, { lineWidth: 0, minContentWidth: 0 });

describe('plain front matter', () => {
  it('writes exactly what the yaml library writes, for every string it accepts (50,000 random strings)', () => {
    const next = random(21);
    let accepted = 0;
    let quoted = 0;
    for (let i = 0; i < 50_000; i++) {
      const text = randomText(next);
      const front = { title: text, labels: [text], references: [{ url: text, title: text }] };
      const ours = plainYaml(front);
      if (ours === undefined) continue;
      accepted++;
      if (ours.startsWith('title: "')) quoted++;
      expect(ours, JSON.stringify(text)).toBe(library(front));
    }
    // The grammar is not so strict that it accepts nothing, plain or quoted.
    expect(accepted).toBeGreaterThan(2_000);
    expect(quoted).toBeGreaterThan(500);
  }, 60_000);

  it('accepts what items usually hold, and refuses what would read back as something else', () => {
    for (const text of [
      'Fix the login form',
      'TASK-0042',
      '2026-11-30T12:00:00.000Z',
      '2026-12-01',
      'https://x.y/z?a=1#f',
    ])
      expect(isPlainScalar(text), text).toBe(true);
    for (const text of ['true', 'null', '0123', '1e3', '-x', 'a: b', 'a #b', 'x:', ' padded', 'café', '', '~'])
      expect(isPlainScalar(text), text).toBe(false);
    // What can never be plain is written in double quotes, as the library does, when nothing needs escaping.
    expect(scalar('Auth: fix the login')).toBe('"Auth: fix the login"');
    expect(scalar('say "hi": now')).toBeUndefined();
    expect(scalar(' padded')).toBeUndefined();
  });

  it('writes whole items the library way, and they decode back to the item they came from', () => {
    const next = random(7);
    const words = ['login', 'fix', 'Form', 'auth', 'v2', 'a/b', '(x)', 'it is', 'done: yes', '#1', 'ok'];
    const pick = () => words[Math.floor(next() * words.length)] as string;
    let plain = 0;
    for (let i = 0; i < 2_000; i++) {
      const item: Item = {
        id: `TASK-${String(i + 1).padStart(4, '0')}`,
        type: 'task',
        title: `${pick()} ${pick()}`,
        status: next() < 0.5 ? 'open' : 'in_progress',
        description: next() < 0.5 ? 'A body.\n' : `---\n${pick()}\n`,
        version: 1 + Math.floor(next() * 5),
        created_at: '2026-01-01T10:00:00.000Z',
        updated_at: '2026-01-02T11:00:00.000Z',
        ...(next() < 0.5 ? { labels: [pick().toLowerCase()] } : {}),
        ...(next() < 0.3 ? { references: [{ url: `https://e.com/${i}`, title: pick() }, { url: 'file:///x' }] } : {}),
        ...(next() < 0.3 ? { evidence: [pick(), pick()] } : {}),
        ...(next() < 0.2 ? { extra: { estimate: i, area: pick() } } : {}),
      };
      const { text, plain: wasPlain } = encodeItemTraced(item);
      const back = decodeItem(text, item.id, '2026-01-01T00:00:00.000Z');
      if (!back.ok) throw new Error(back.error);
      if (!wasPlain) continue;
      plain++;
      const { description, ...front } = item;
      expect(text.slice(4, text.indexOf('\n---\n') + 1)).toBe(library(frontMatterOf(front)));
      expect(back.item).toEqual(item);
    }
    expect(plain).toBeGreaterThan(500);
  }, 60_000);
});

/** The front matter encodeItem writes for these fields, in its key order. */
function frontMatterOf(fields: Omit<Item, 'description'>): Record<string, unknown> {
  const order = [
    'id',
    'title',
    'status',
    'type',
    'labels',
    'references',
    'evidence',
    'created_at',
    'updated_at',
    'version',
  ];
  const front: Record<string, unknown> = {};
  for (const key of order) {
    const value = fields[key as keyof typeof fields];
    if (value !== undefined) front[key] = value;
  }
  return { ...front, ...fields.extra };
}
