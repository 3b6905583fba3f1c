/**
 * Static token-embedding table distilled from Universal Sentence Encoder lite
 * (see tools/distill-embeddings). A text's vector is the sum of its tokens'
 * pre-weighted rows, L2-normalised, so cosine similarity is a plain dot product.
 *
 * This module is deliberately free of `node:` imports and file I/O so the same
 * code runs in Node and in Cloudflare Workers; callers hand us the table bytes.
 *
 * Table layout (all little-endian):
 *   0   4 bytes  magic "BKEM"
 *   4   uint32   format version (1)
 *   8   uint32   header length H in bytes
 *   12  H bytes  UTF-8 JSON header (see TableHeader)
 *   ..  padding to a multiple of 4
 *   ..  float32 × rows    per-row scale (token weight × int8 quantisation step)
 *   ..  stringsBytes      UTF-8 token strings joined by "\n", in row order
 *   ..  int8 × rows × dimensions   quantised row vectors
 */

export interface Embedder {
  readonly id: string;
  readonly dimensions: number;
  embed(text: string): Float32Array;
}

interface TableHeader {
  id: string;
  dimensions: number;
  rows: number;
  stringsBytes: number;
  maxTokenChars: number;
}

const MAGIC = 'BKEM';
const FORMAT_VERSION = 1;

// Caps keep the cost of one embed bounded whatever the input (a pasted 1 MB log,
// a minified bundle): text beyond them barely moves a mean vector anyway.
const MAX_INPUT_CHARS = 32_768;
const MAX_TOKENS = 2_000;
const MAX_TOKEN_CHARS = 64;
/** Unknown words whose pieces are remembered (a few hundred bytes each); past this, forgotten at once. */
const MAX_REMEMBERED_WORDS = 100_000;

const WORD_RUN = /[\p{L}\p{M}\p{N}]+/gu;
const NON_ASCII = /[^\u0020-\u007e\s]/;
const PLAIN_RUN = /^(?:[a-z]+|[0-9]+)$/;
const COMBINING_MARKS = /\p{M}+/gu;
// Boundaries inside a run: fooBar, HTTPServer (HTTP|Server), v2 / 2fa (letter|digit).
const SUB_WORD_BOUNDARY = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;

/**
 * Splits text into lowercase, accent-free word tokens. Exported because the
 * distillation script must tokenise its corpus exactly like the runtime does,
 * otherwise the table's vocabulary and weights would not match what we look up.
 */
export function tokenize(text: string, maxTokens: number = MAX_TOKENS): string[] {
  const out: string[] = [];
  if (typeof text !== 'string' || text.length === 0 || maxTokens <= 0) return out;
  // Decompose first so accents become separate marks we can drop (NFKD leaves ASCII as it is);
  // camelCase must be split before lowercasing erases the case boundaries.
  const clipped = text.slice(0, MAX_INPUT_CHARS);
  const source = NON_ASCII.test(clipped) ? clipped.normalize('NFKD') : clipped;
  for (const match of source.matchAll(WORD_RUN)) {
    // A lowercase word or a number has no marks, no case and no letter-digit boundary: nothing to split.
    if (PLAIN_RUN.test(match[0])) {
      out.push(match[0].slice(0, MAX_TOKEN_CHARS));
      if (out.length >= maxTokens) return out;
      continue;
    }
    const run = match[0].replace(COMBINING_MARKS, '');
    if (run.length === 0) continue;
    for (const part of run.split(SUB_WORD_BOUNDARY)) {
      if (part.length === 0) continue;
      out.push(part.toLowerCase().slice(0, MAX_TOKEN_CHARS));
      if (out.length >= maxTokens) return out;
    }
  }
  return out;
}

function readHeader(bytes: Uint8Array): { header: TableHeader; bodyOffset: number } {
  if (bytes.byteLength < 12) throw new Error('embedding table: too short');
  const magic = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0, bytes[2] ?? 0, bytes[3] ?? 0);
  if (magic !== MAGIC) throw new Error('embedding table: bad magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw new Error(`embedding table: unsupported version ${version}`);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.byteLength) throw new Error('embedding table: truncated header');
  const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  if (!isTableHeader(parsed)) throw new Error('embedding table: malformed header');
  const bodyOffset = Math.ceil((12 + headerLength) / 4) * 4;
  return { header: parsed, bodyOffset };
}

function isTableHeader(value: unknown): value is TableHeader {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' &&
    Number.isInteger(v.dimensions) &&
    Number.isInteger(v.rows) &&
    Number.isInteger(v.stringsBytes) &&
    Number.isInteger(v.maxTokenChars)
  );
}

/** Builds an embedder over a distilled table. Pure: no I/O, no globals. */
export function createStaticEmbedder(table: Uint8Array): Embedder {
  const { header, bodyOffset } = readHeader(table);
  const { dimensions } = header;
  const maxPieceChars = Math.max(1, header.maxTokenChars);
  const { scales, vectors, rowOf } = readBody(table, header, bodyOffset);

  // The pieces of each word the table does not hold, found once: a backlog repeats its words
  // (identifiers, names, typos), and the greedy walk below tried up to maxPieceChars lookups
  // per character, each on a new string (40 % of a 100,000-item cold start, measured).
  const piecesOf = new Map<string, readonly number[]>();
  const rowsOf = (token: string, into: number[]): void => {
    const whole = rowOf.get(token);
    if (whole !== undefined) {
      into.push(whole);
      return;
    }
    let pieces = piecesOf.get(token);
    if (pieces === undefined) {
      if (piecesOf.size >= MAX_REMEMBERED_WORDS) piecesOf.clear();
      const found: number[] = [];
      pushPieces(rowOf, maxPieceChars, token, found);
      pieces = found;
      piecesOf.set(token, pieces);
    }
    for (const row of pieces) into.push(row);
  };

  // One scratch row for every embed, summed in float32 exactly as before (cached vectors stay
  // bit for bit the same), then copied out.
  const sum = new Float32Array(dimensions);
  const embed = (text: string): Float32Array => {
    const rowIds: number[] = [];
    for (const token of tokenize(text)) rowsOf(token, rowIds);
    sum.fill(0);
    for (const r of rowIds) {
      const scale = scales[r] as number;
      const base = r * dimensions;
      for (let d = 0; d < dimensions; d++) (sum[d] as number) += scale * (vectors[base + d] as number);
    }
    const out = sum.slice();
    let norm = 0;
    for (let d = 0; d < dimensions; d++) {
      const x = out[d] ?? 0;
      norm += x * x;
    }
    // No known token: return the zero vector, which scores 0 against everything,
    // instead of NaNs that would poison a ranking.
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let d = 0; d < dimensions; d++) out[d] = (out[d] ?? 0) * inv;
    }
    return out;
  };

  return { id: header.id, dimensions, embed };
}

/** The table's body: per-row scales, quantised row vectors and the row of each token string. */
function readBody(
  table: Uint8Array,
  header: TableHeader,
  bodyOffset: number,
): { scales: Float32Array; vectors: Int8Array; rowOf: Map<string, number> } {
  const { dimensions, rows, stringsBytes } = header;
  const scalesOffset = bodyOffset;
  const stringsOffset = scalesOffset + rows * 4;
  const vectorsOffset = stringsOffset + stringsBytes;
  if (vectorsOffset + rows * dimensions > table.byteLength) {
    throw new Error('embedding table: truncated body');
  }

  // Copy scales out via DataView: the caller's Uint8Array may sit at an
  // unaligned byteOffset (Node Buffers from a pool do), which Float32Array rejects.
  const scales = new Float32Array(rows);
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  for (let r = 0; r < rows; r++) scales[r] = view.getFloat32(scalesOffset + r * 4, true);

  const vectors = new Int8Array(table.buffer, table.byteOffset + vectorsOffset, rows * dimensions);

  const strings = new TextDecoder().decode(table.subarray(stringsOffset, vectorsOffset)).split('\n');
  if (strings.length !== rows) throw new Error('embedding table: token count mismatch');
  const rowOf = new Map<string, number>();
  for (let r = 0; r < rows; r++) {
    const s = strings[r];
    if (s !== undefined && !rowOf.has(s)) rowOf.set(s, r);
  }
  return { scales, vectors, rowOf };
}

/**
 * Unknown words fall back to greedy longest-prefix pieces from the same table
 * (it holds every SentencePiece subword of the source model), so misspellings
 * and compounds like "loginpage" still land near their parts.
 */
function pushPieces(rowOf: ReadonlyMap<string, number>, maxPieceChars: number, token: string, into: number[]): void {
  const chars = Array.from(token);
  let i = 0;
  while (i < chars.length) {
    let matched = 0;
    for (let len = Math.min(maxPieceChars, chars.length - i); len > 0; len--) {
      const row = rowOf.get(chars.slice(i, i + len).join(''));
      if (row !== undefined) {
        into.push(row);
        matched = len;
        break;
      }
    }
    // A character the table has never seen (most CJK, emoji) is skipped
    // rather than failing: the rest of the text still carries meaning.
    i += matched > 0 ? matched : 1;
  }
}
