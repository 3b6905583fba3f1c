/**
 * Front matter written without the `yaml` library, for the values nearly every item holds: short
 * printable ASCII strings (plain, or in double quotes when they hold ": "), timestamps, a version
 * number, lists of those and references. The
 * library spent ~0.2 ms per item writing such a block and as much again reading it back to prove
 * it round-trips; here the proof is the grammar below. The output is byte for byte what
 * `yaml.stringify(front, { lineWidth: 0 })` writes (a unit test fuzzes the two against each
 * other), so a file's text never depends on which path wrote it. Anything else returns
 * undefined and goes through the library.
 */

/** An ISO timestamp or date: core-schema YAML reads both as strings, and the library writes them plain. */
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Printable ASCII that reads back as this very string when written plain: it starts with a letter,
 * `_`, `/` or `(` (never an indicator, a digit, a sign or a dot, so never a number), has no
 * leading or trailing space, no ": " or " #" and no final ":" (which would start a mapping or a
 * comment), and is not one of the words core YAML reads as null or a boolean.
 */
const PLAIN = /^[A-Za-z_/(](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const NOT_PLAIN = /: | #|:$/;
const RESERVED_WORDS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);

export function isPlainScalar(value: string): boolean {
  if (DATE_LIKE.test(value)) return true;
  return PLAIN.test(value) && !NOT_PLAIN.test(value) && !RESERVED_WORDS.has(value);
}

/** Printable ASCII with nothing a double-quoted scalar would escape. */
const QUOTABLE = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * `value` as the library writes it, or undefined. Plain when the grammar above allows; and a text
 * that no YAML writer can leave plain (it holds ": " or " #", or ends with ":", as in "Auth: fix
 * the login") is written in double quotes, as the library does, when nothing in it needs escaping.
 */
export function scalar(value: string): string | undefined {
  if (isPlainScalar(value)) return value;
  return NOT_PLAIN.test(value) && QUOTABLE.test(value) ? `"${value}"` : undefined;
}

/** One `key: value` block, or undefined when the value is not one this writer knows to be exact. */
function entry(key: string, value: unknown): string | undefined {
  if (typeof value === 'string') {
    const text = scalar(value);
    return text === undefined ? undefined : `${key}: ${text}\n`;
  }
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? `${key}: ${value}\n` : undefined;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  let block = `${key}:\n`;
  for (const element of value) {
    const line = listElement(element);
    if (line === undefined) return undefined;
    block += line;
  }
  return block;
}

/** `  - text`, or a reference as `  - url: …` with `    title: …` under it. */
function listElement(element: unknown): string | undefined {
  if (typeof element === 'string') {
    const text = scalar(element);
    return text === undefined ? undefined : `  - ${text}\n`;
  }
  if (typeof element !== 'object' || element === null || Array.isArray(element)) return undefined;
  const keys = Object.keys(element);
  const { url, title } = element as { url?: unknown; title?: unknown };
  const urlText = typeof url === 'string' && keys[0] === 'url' ? scalar(url) : undefined;
  if (urlText === undefined) return undefined;
  if (keys.length === 1) return `  - url: ${urlText}\n`;
  const titleText = keys.length === 2 && typeof title === 'string' ? scalar(title) : undefined;
  return titleText === undefined ? undefined : `  - url: ${urlText}\n    title: ${titleText}\n`;
}

/** The YAML of `front` (keys in insertion order), or undefined to let the library write it. */
export function plainYaml(front: Record<string, unknown>): string | undefined {
  let yaml = '';
  for (const key in front) {
    if (!/^[a-z_]+$/.test(key)) return undefined;
    const block = entry(key, front[key]);
    if (block === undefined) return undefined;
    yaml += block;
  }
  return yaml;
}
