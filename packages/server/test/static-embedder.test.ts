import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDefaultEmbedder } from '../src/runtime/node/embedder.js';
import { createStaticEmbedder, tokenize } from '../src/search/embedder/static-embedder.js';

const embedder = loadDefaultEmbedder();
const TABLE = new URL('../assets/embeddings/use-lite-static.bin', import.meta.url);

const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
};
const norm = (a: Float32Array): number => Math.sqrt(dot(a, a));

describe('static embedder', () => {
  it('reports its dimensions and returns vectors of that length', () => {
    expect(embedder.dimensions).toBe(128);
    expect(embedder.id).toMatch(/^use-lite-static/);
    expect(embedder.embed('reduce dashboard load time')).toHaveLength(embedder.dimensions);
  });

  it('returns L2-normalised vectors', () => {
    for (const text of ['login', 'Fix authentication flow', 'a much longer description of a task '.repeat(50)]) {
      expect(norm(embedder.embed(text))).toBeCloseTo(1, 5);
    }
  });

  it('is deterministic, including across instances', () => {
    const a = embedder.embed('Stabilize flaky end-to-end tests');
    const b = embedder.embed('Stabilize flaky end-to-end tests');
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(loadDefaultEmbedder()).toBe(embedder);
  });

  it('gives a word it splits into pieces the same vector whether or not it remembers the pieces, and keeps no sum between texts', () => {
    // "zorblatix" and "qwopfrenz" are in no table: embedded from pieces, remembered after the first time.
    const text = 'zorblatix login qwopfrenz';
    const fresh = createStaticEmbedder(new Uint8Array(readFileSync(TABLE)));
    const first = Array.from(fresh.embed(text));
    const other = Array.from(fresh.embed('invoice export to CSV'));
    expect(Array.from(fresh.embed(text))).toEqual(first);
    expect(Array.from(fresh.embed('invoice export to CSV'))).toEqual(other);
    expect(Array.from(embedder.embed(text))).toEqual(first);
  });

  it('never throws on hostile input and never yields NaN', () => {
    const hostile = [
      '',
      '   \n\t ',
      '🔥🚀💥',
      '日本語のテキストを検索する',
      '\u0000\uFFFF\uD800',
      'a'.repeat(100_000),
      'word '.repeat(250_000),
      'x'.repeat(1_000_000),
    ];
    for (const text of hostile) {
      const v = embedder.embed(text);
      expect(v).toHaveLength(embedder.dimensions);
      expect(v.every((x) => Number.isFinite(x))).toBe(true);
      const n = norm(v);
      expect(n === 0 || Math.abs(n - 1) < 1e-5).toBe(true);
    }
    expect(norm(embedder.embed(''))).toBe(0);
  });

  it('ranks a paraphrase above an unrelated text', () => {
    const q = embedder.embed('login is broken');
    const paraphrase = dot(q, embedder.embed('fix authentication flow'));
    const unrelated = dot(q, embedder.embed('update the quarterly sales chart colors'));
    expect(paraphrase).toBeGreaterThan(unrelated);
  });

  it('tokenises Unicode, accents and camelCase', () => {
    expect(tokenize('FeatureStore HTTPServer café-Crème oauth2')).toEqual([
      'feature',
      'store',
      'http',
      'server',
      'cafe',
      'creme',
      'oauth',
      '2',
    ]);
    expect(tokenize('x '.repeat(10_000))).toHaveLength(2_000);
  });

  it('tokenises exactly as the general path does when it takes its shortcuts (ASCII, lowercase words, numbers)', () => {
    // The tokeniser as it was before its shortcuts: the distilled table was made with it.
    const reference = (text: string, maxTokens = 2000): string[] => {
      const out: string[] = [];
      for (const match of text
        .slice(0, 32_768)
        .normalize('NFKD')
        .matchAll(/[\p{L}\p{M}\p{N}]+/gu)) {
        const run = match[0].replace(/\p{M}+/gu, '');
        if (run.length === 0) continue;
        const boundary = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;
        for (const part of run.split(boundary)) {
          if (part.length === 0) continue;
          out.push(part.toLowerCase().slice(0, 64));
          if (out.length >= maxTokens) return out;
        }
      }
      return out;
    };
    const alphabet = 'abcxyzABCXYZ0129 _-.:/\té\u0301ﬁÅß漢字Ωω'.split('');
    let seed = 3;
    const next = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 20_000; i++) {
      const length = Math.floor(next() * 40);
      let text = '';
      for (let c = 0; c < length; c++) text += alphabet[Math.floor(next() * alphabet.length)];
      if (next() < 0.1) text = text.repeat(Math.ceil(200 / (text.length + 1))); // long words past 64 characters
      const limit = next() < 0.2 ? 1 + Math.floor(next() * 5) : 2000;
      expect(tokenize(text, limit), JSON.stringify(text)).toEqual(reference(text, limit));
    }
  });

  it('rejects a table that is not one', () => {
    expect(() => createStaticEmbedder(new Uint8Array([1, 2, 3]))).toThrow();
    expect(() => createStaticEmbedder(new Uint8Array(64))).toThrow(/magic/);
  });
});
