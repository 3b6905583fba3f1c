/**
 * Every distinct indexed term, numbered, with the two lookups query expansion needs:
 * terms starting with a prefix, and terms within a small edit distance (typos).
 */
export class TermDictionary {
  private readonly ids = new Map<string, number>();
  private readonly terms: string[] = [];
  /** Terms by their first three characters: a prefix query of 4+ characters scans one bucket. */
  private readonly byHead = new Map<string, number[]>();
  /** Term ids by length, with a 32-bit letter signature each, for the typo scan. */
  private readonly byLength: Array<{ ids: number[]; signatures: number[] }> = [];

  get size(): number {
    return this.terms.length;
  }

  idOf(term: string): number | undefined {
    return this.ids.get(term);
  }

  term(id: number): string {
    return this.terms[id] as string;
  }

  /** The id of `term`, numbering it if it is new. */
  intern(term: string): number {
    const known = this.ids.get(term);
    if (known !== undefined) return known;
    const id = this.terms.length;
    this.ids.set(term, id);
    this.terms.push(term);
    const head = term.slice(0, 3);
    const bucket = this.byHead.get(head);
    if (bucket) bucket.push(id);
    else this.byHead.set(head, [id]);
    const lengthBucket = this.byLength[term.length] ?? { ids: [], signatures: [] };
    this.byLength[term.length] = lengthBucket;
    lengthBucket.ids.push(id);
    lengthBucket.signatures.push(signature(term));
    return id;
  }

  /** Longer terms that start with `prefix` (at least 4 characters), with how many characters they add. */
  withPrefix(prefix: string): Array<{ id: number; extra: number }> {
    const out: Array<{ id: number; extra: number }> = [];
    for (const id of this.byHead.get(prefix.slice(0, 3)) ?? []) {
      const term = this.terms[id] as string;
      if (term.length > prefix.length && term.startsWith(prefix)) out.push({ id, extra: term.length - prefix.length });
    }
    return out;
  }

  /** Other terms within `maxDistance` edits (Levenshtein) of `term`. */
  near(term: string, maxDistance: number): Array<{ id: number; distance: number }> {
    const out: Array<{ id: number; distance: number }> = [];
    const own = signature(term);
    for (let length = term.length - maxDistance; length <= term.length + maxDistance; length++) {
      const bucket = this.byLength[length];
      if (!bucket) continue;
      for (let i = 0; i < bucket.ids.length; i++) {
        // Each edit changes the presence of at most two letters: a cheap test rejects most terms.
        if (popcount(own ^ (bucket.signatures[i] as number)) > 2 * maxDistance) continue;
        const id = bucket.ids[i] as number;
        const distance = boundedLevenshtein(term, this.terms[id] as string, maxDistance);
        if (distance > 0 && distance <= maxDistance) out.push({ id, distance });
      }
    }
    return out;
  }
}

/** Which of 32 character classes occur in the term. */
function signature(term: string): number {
  let bits = 0;
  for (let i = 0; i < term.length; i++) bits |= 1 << (term.charCodeAt(i) % 32);
  return bits;
}

function popcount(n: number): number {
  let v = n - ((n >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

const row = new Int32Array(64);
const previous = new Int32Array(64);

/** Edit distance, or `max + 1` as soon as it is certain to exceed `max`. */
export function boundedLevenshtein(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (b.length + 1 > row.length) return max + 1; // terms this long are never typo-matched
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let best = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      row[j] = value;
      if (value < best) best = value;
    }
    if (best > max) return max + 1;
    previous.set(row.subarray(0, b.length + 1));
  }
  const distance = previous[b.length] as number;
  return distance > max ? max + 1 : distance;
}
