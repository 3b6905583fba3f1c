import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq } from 'yaml';
import { decodeItem, readByLibrary } from '../../src/format/item-markdown.js';
import { plainYaml } from '../../src/format/plain-yaml.js';
import { readPlainYaml } from '../../src/format/plain-yaml-read.js';
import { random, randomText } from './support/yaml-fuzz.js';

const WORDS = [
  'Fix the login',
  'Auth: fix it',
  'a/b',
  '(x)',
  '2026-01-02',
  '2026-11-30T12:00:00.000Z',
  'null',
  '42',
  'x:',
];

/** Words items often hold, or random characters. */
function textOrWord(next: () => number): string {
  return next() < 0.4 ? (WORDS[Math.floor(next() * WORDS.length)] as string) : randomText(next);
}

/** Front matter as items carry it: texts, a version number, lists of texts, references, extras. */
function randomFront(next: () => number): Record<string, unknown> {
  const front: Record<string, unknown> = { id: 'TASK-0001', title: textOrWord(next), status: 'open' };
  if (next() < 0.5) front.labels = Array.from({ length: 1 + Math.floor(next() * 3) }, () => textOrWord(next));
  if (next() < 0.4) {
    front.references = Array.from({ length: 1 + Math.floor(next() * 2) }, () =>
      next() < 0.5 ? { url: textOrWord(next) } : { url: textOrWord(next), title: textOrWord(next) },
    );
  }
  if (next() < 0.3) front.evidence = [textOrWord(next)];
  front.created_at = '2026-01-01T10:00:00.000Z';
  front.version = Math.floor(next() * 1000);
  if (next() < 0.2) front.estimate = Math.floor(next() * 50);
  return front;
}

/** What decodeItem reads of a node: each value, and a number's digits as typed. */
function view(node: unknown): unknown {
  if (isScalar(node)) return typeof node.value === 'number' ? { number: node.value, typed: node.source } : node.value;
  if (isSeq(node)) return node.items.map(view);
  if (isMap(node)) return node.items.map((pair) => [view(pair.key), view(pair.value)]);
  return { other: String(node) };
}

const fieldsView = (fields: Map<string, unknown>) => [...fields].map(([key, node]) => [key, view(node)]);

/** Small edits of the kinds hand edits and merges make: a character in, a character out, a line twice. */
const EDITS = [
  ':',
  ' ',
  '#',
  '"',
  "'",
  '-',
  '\n',
  '\t',
  '[',
  '{',
  '&',
  '*',
  '!',
  '|',
  '>',
  '%',
  '@',
  '`',
  '0',
  'é',
  '\\',
];
function mangle(text: string, next: () => number): string {
  const at = Math.floor(next() * text.length);
  const roll = next();
  if (roll < 0.5) return text.slice(0, at) + EDITS[Math.floor(next() * EDITS.length)] + text.slice(at);
  if (roll < 0.8) return text.slice(0, at) + text.slice(at + 1);
  const lines = text.split('\n');
  const line = Math.floor(next() * (lines.length - 1));
  lines.splice(line, 0, lines[line] as string);
  return lines.join('\n');
}

describe('reading plain front matter without the yaml library', () => {
  it('reads what the writer writes as the library does (20,000 generated blocks)', () => {
    const next = random(11);
    let read = 0;
    for (let i = 0; i < 20_000; i++) {
      const yaml = plainYaml(randomFront(next));
      if (yaml === undefined) continue;
      const fields = readPlainYaml(yaml);
      // Everything the writer writes, the reader takes: files we wrote never go to the library.
      expect(fields, yaml).toBeDefined();
      const library = readByLibrary(yaml);
      if (typeof library === 'string') throw new Error(`${library}\n${yaml}`);
      expect(fieldsView(fields as Map<string, unknown>), yaml).toEqual(fieldsView(library));
      read++;
    }
    expect(read).toBeGreaterThan(3_000);
  }, 60_000);

  it('takes a mangled block only when the library reads it the same, without errors (60,000 edits)', () => {
    const next = random(5);
    let taken = 0;
    let refused = 0;
    for (let i = 0; i < 60_000; i++) {
      const yaml = plainYaml(randomFront(next));
      if (yaml === undefined) continue;
      let text = mangle(yaml, next);
      if (next() < 0.3) text = mangle(text, next);
      const fields = readPlainYaml(text);
      if (fields === undefined) {
        refused++;
        continue;
      }
      taken++;
      const library = readByLibrary(text);
      if (typeof library === 'string') throw new Error(`read plain, but the library says ${library}:\n${text}`);
      expect(fieldsView(fields), JSON.stringify(text)).toEqual(fieldsView(library));
    }
    // Both outcomes happen often: the comparison is not vacuous either way.
    expect(taken).toBeGreaterThan(1_000);
    expect(refused).toBeGreaterThan(1_000);
  }, 60_000);

  it('leaves to the library what it does not write, and decodes such files the same as before', () => {
    for (const yaml of [
      'id: TASK-0001\n# a comment\ntitle: x\n',
      'id: TASK-0001\n\ntitle: x\n',
      'id: TASK-0001\ntitle: x\ntitle: y\n',
      'id: TASK-0001\nlabels: [a, b]\n',
      'id: TASK-0001\ntitle: "say \\"hi\\""\n',
      'id: TASK-0001\ntitle: 0123\n',
      'id: TASK-0001\ntitle: x\r\n',
      'id: TASK-0001\nlabels:\n- a\n',
      'id: TASK-0001\ntitle:\n',
    ])
      expect(readPlainYaml(yaml), yaml).toBeUndefined();
    const handWritten = '---\nid: TASK-0007\ntitle: 0123\nlabels: [UI, ui]\nversion: 2\n---\nBody\n';
    const decoded = decodeItem(handWritten, 'TASK-0007', '2026-01-01T00:00:00.000Z');
    expect(decoded).toMatchObject({ ok: true, item: { title: '0123', labels: ['ui'], version: 2 } });
    const repeated = decodeItem(
      '---\nid: TASK-0007\ntitle: a\ntitle: b\n---\n',
      'TASK-0007',
      '2026-01-01T00:00:00.000Z',
    );
    expect(repeated).toEqual({ ok: false, error: 'invalid YAML: Map keys must be unique ("title" repeats)' });
  });
});
