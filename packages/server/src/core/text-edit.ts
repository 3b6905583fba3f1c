import { BacklogError, invalid } from './errors.js';

/** The three edits write_resource offers; one flat shape so every client can send it. */
export interface EditOperation {
  type: 'str_replace' | 'insert' | 'append';
  old_str?: string;
  new_str?: string;
  insert_line?: number;
}

export function applyEdit(content: string, op: EditOperation): string {
  switch (op.type) {
    case 'str_replace':
      return replaceUnique(
        content,
        requireString('operation.old_str', op.old_str),
        requireString('operation.new_str', op.new_str),
      );
    case 'insert':
      return insertAfterLine(content, requireLine(op.insert_line), requireString('operation.new_str', op.new_str));
    case 'append':
      return appendText(content, requireString('operation.new_str', op.new_str));
  }
}

function requireString(field: string, value: string | undefined): string {
  if (typeof value !== 'string') throw invalid(field, 'a string', value);
  return value;
}

function requireLine(value: number | undefined): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalid('operation.insert_line', 'a whole number ≥ 0 (0 inserts before the first line)', value);
  }
  return value;
}

function replaceUnique(content: string, oldStr: string, newStr: string): string {
  if (oldStr.length === 0) throw invalid('operation.old_str', 'a non-empty string to find', oldStr);
  const first = content.indexOf(oldStr);
  if (first < 0) {
    const closest = closestLine(content, oldStr);
    const hint = closest ? ` The closest line is ${closest.line}: ${JSON.stringify(closest.text)}.` : '';
    throw new BacklogError('invalid', `operation.old_str: not found in the content.${hint}`, 'operation.old_str');
  }
  const count = countOccurrences(content, oldStr);
  if (count > 1) {
    throw new BacklogError(
      'invalid',
      `operation.old_str: found ${count} times; it must match exactly once. Include more surrounding text.`,
      'operation.old_str',
    );
  }
  // Slicing (not String.replace) so `$&` and friends in new_str stay literal.
  return content.slice(0, first) + newStr + content.slice(first + oldStr.length);
}

function countOccurrences(content: string, needle: string): number {
  let count = 0;
  for (let at = content.indexOf(needle); at >= 0; at = content.indexOf(needle, at + 1)) count++;
  return count;
}

function insertAfterLine(content: string, line: number, text: string): string {
  const lines = content.length === 0 ? [] : content.split('\n');
  // A trailing newline leaves an empty last element that is not a line a person sees.
  const trailing = content.endsWith('\n');
  if (trailing) lines.pop();
  if (line > lines.length) {
    throw invalid('operation.insert_line', `a line number from 0 to ${lines.length}`, line);
  }
  const inserted = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  lines.splice(line, 0, ...inserted);
  return lines.join('\n') + (trailing ? '\n' : '');
}

function appendText(content: string, text: string): string {
  if (content.length === 0 || content.endsWith('\n')) return content + text;
  return `${content}\n${text}`;
}

/** Finds the line most like the first line of what was searched for, to show a near miss. */
function closestLine(content: string, needle: string): { line: number; text: string } | undefined {
  const target = (needle.split('\n').find((l) => l.trim()) ?? needle).trim();
  const targetGrams = bigrams(target);
  let best: { line: number; text: string; score: number } | undefined;
  content.split('\n').forEach((text, index) => {
    if (!text.trim()) return;
    const score = dice(targetGrams, bigrams(text.trim()));
    if (score > 0 && (!best || score > best.score)) best = { line: index + 1, text, score };
  });
  return best && { line: best.line, text: best.text.length > 120 ? `${best.text.slice(0, 117)}...` : best.text };
}

function bigrams(text: string): Map<string, number> {
  const grams = new Map<string, number>();
  const lower = text.toLowerCase();
  for (let i = 0; i < lower.length - 1; i++) {
    const gram = lower.slice(i, i + 2);
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
  return grams;
}

function dice(a: Map<string, number>, b: Map<string, number>): number {
  let shared = 0;
  let total = 0;
  for (const count of a.values()) total += count;
  for (const count of b.values()) total += count;
  for (const [gram, count] of a) shared += Math.min(count, b.get(gram) ?? 0);
  return total === 0 ? 0 : (2 * shared) / total;
}
