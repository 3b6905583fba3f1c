import { stemmer } from 'stemmer';

/**
 * Text analysis for full-text search: Unicode-aware tokens, identifiers split the
 * way people search for them, English stop words dropped and words stemmed.
 * Both documents and queries go through here, so "tests" finds "testing".
 */

// A deliberately short list: dropping too much hurts short queries like "not done".
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by for from has have in into is it its of on or that the their then there these ' +
    'this to was were will with we i you he she they our your my me so if do does did can could should would ' +
    'just also than too very'
  ).split(' '),
);

const WORD_RUN = /[\p{L}\p{M}\p{N}_]+/gu;
const NON_ASCII = /[^\u0020-\u007e\s]/;
const MARKS = /\p{M}+/gu;
const CAMEL = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const MAX_CHARS = 200_000;

/** Splits text into lowercase, accent-free tokens; `FeatureStore` yields featurestore, feature and store. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const clipped = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text;
  // NFKD leaves ASCII as it is; skipping it for ASCII text halves the cost of indexing.
  const source = NON_ASCII.test(clipped) ? clipped.normalize('NFKD') : clipped;
  for (const raw of source.match(WORD_RUN) ?? []) {
    // Fast path for the common case: a plain lowercase word needs no splitting.
    if (/^[a-z]+$/.test(raw)) {
      out.push(raw);
      continue;
    }
    const run = raw.replace(MARKS, '');
    if (CJK.test(run)) {
      out.push(...cjkTokens(run));
      continue;
    }
    const parts = run
      .split('_')
      .flatMap((piece) => piece.split(CAMEL))
      .filter(Boolean);
    if (parts.length > 1) out.push(run.toLowerCase().replace(/_/g, ''));
    for (const part of parts) out.push(part.toLowerCase());
  }
  return out;
}

/** CJK has no spaces: index single characters and overlapping pairs, which is how CJK search usually works. */
function cjkTokens(run: string): string[] {
  const chars = [...run];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    out.push(chars[i] as string);
    if (i + 1 < chars.length) out.push(`${chars[i]}${chars[i + 1]}`);
  }
  return out;
}

/** Stop words vanish; everything else is stemmed (numbers and CJK are left as they are). */
export function processTerm(term: string): string | null {
  if (STOP_WORDS.has(term)) return null;
  if (!/^[a-z]+$/.test(term) || term.length < 3) return term;
  return stemmer(term);
}

export function isStopWord(term: string): boolean {
  return STOP_WORDS.has(term);
}
