/**
 * The `id:` line of an item file's front matter, read and rewritten as text: a rename then changes
 * that one line, and every other byte (key order, comments, quoting a person chose, the body)
 * stays as it was. Pure: text in, text out. IDs here are canonical (letters, digits, a dash), so
 * they are safe inside a regular expression.
 */

const FENCE = /^---[ \t]*\r?$/;
const ID_KEY = /^id[ \t]*:/;

/** The index of the `id:` line within the front matter, -1 when there is none, undefined without front matter. */
function idLineIndex(lines: readonly string[]): number | undefined {
  if (!FENCE.test(lines[0] ?? '')) return undefined;
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index] as string;
    if (FENCE.test(line)) return -1;
    if (ID_KEY.test(line)) return index;
  }
  return undefined; // never closed
}

/** The ID the front matter's `id:` line states (quotes removed), or undefined when there is none. */
export function statedId(text: string): string | undefined {
  const lines = text.split('\n');
  const index = idLineIndex(lines);
  if (index === undefined || index < 0) return undefined;
  const value = /^id[ \t]*:[ \t]*(["']?)(.*?)\1[ \t]*(?:#.*)?\r?$/.exec(lines[index] as string)?.[2];
  return value?.trim() || undefined;
}

/**
 * The text with `id: from` replaced by `id: to`. A front matter without an `id:` line is returned
 * as is (the file name gives the ID). Undefined when the text has no closed front matter or its
 * `id:` line is not plainly `from` (quoted or not): the caller must re-encode the item instead.
 */
export function renameItemText(text: string, from: string, to: string): string | undefined {
  const lines = text.split('\n');
  const index = idLineIndex(lines);
  if (index === undefined) return undefined;
  if (index < 0) return text;
  const match = new RegExp(`^id:([ \\t]*)(["']?)${from}\\2([ \\t]*(?:#.*)?\\r?)$`).exec(lines[index] as string);
  if (!match) return undefined;
  lines[index] = `id:${match[1]}${match[2]}${to}${match[2]}${match[3]}`;
  return lines.join('\n');
}
