/** A deterministic generator, so a failure names a reproducible case. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

// Every printable ASCII character, weighted towards the ones YAML gives meaning to.
const ALPHABET = `${Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('')}:::   ###---"'\t\nétrue`;

/** 1 to 12 characters of that alphabet: what the front matter fuzz tests feed the writer and reader. */
export function randomText(next: () => number): string {
  const length = 1 + Math.floor(next() * 12);
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return text;
}
