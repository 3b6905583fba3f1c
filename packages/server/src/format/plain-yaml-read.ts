import { Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { isPlainScalar } from './plain-yaml.js';

/**
 * Front matter read without the `yaml` library when it is written in exactly the grammar
 * `plainYaml` writes (ADR 0025): `key: value` lines, `key:` followed by `  - value` lines, and
 * references as `  - url: …` with an optional `    title: …`. The values are plain scalars the
 * writer's grammar allows, double-quoted text with nothing escaped, and whole numbers. For such a
 * text the result is the nodes the library would have built, so `decodeItem` treats both alike;
 * anything else (a comment, a blank line, a flow list, an escape, a repeated key, a tab…) returns
 * undefined and the library reads it. The library spent ~150 µs per item file on this; a unit test
 * fuzzes texts, valid and mangled, through both and compares.
 */

const KEY = /^[a-z_]+$/;
const WHOLE = /^(?:0|[1-9]\d{0,14})$/;
/** Printable ASCII with nothing a double-quoted scalar would escape (no `"`, no `\`). */
const QUOTED = /^"[\x20\x21\x23-\x5b\x5d-\x7e]*"$/;

const ITEM = '  - ';
const URL_ITEM = '  - url: ';
const TITLE_LINE = '    title: ';

export function readPlainYaml(yamlText: string): Map<string, unknown> | undefined {
  if (!yamlText.endsWith('\n')) return undefined;
  const lines = yamlText.split('\n');
  lines.pop(); // after the final newline
  const fields = new Map<string, unknown>();
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    const key = line.slice(0, colon);
    if (colon < 1 || !KEY.test(key) || fields.has(key)) return undefined;
    if (colon === line.length - 1) {
      const list = new YAMLSeq();
      i++;
      while (i < lines.length && (lines[i] as string).startsWith(ITEM)) {
        const element = (lines[i] as string).startsWith(URL_ITEM)
          ? reference(lines[i] as string, lines[i + 1])
          : stringNode((lines[i] as string).slice(ITEM.length));
        if (element === undefined) return undefined;
        list.items.push(element);
        i += element instanceof YAMLMap && element.items.length === 2 ? 2 : 1;
      }
      if (list.items.length === 0) return undefined;
      fields.set(key, list);
      continue;
    }
    if (line[colon + 1] !== ' ') return undefined;
    const value = scalarNode(line.slice(colon + 2));
    if (value === undefined) return undefined;
    fields.set(key, value);
    i++;
  }
  return fields.size > 0 ? fields : undefined;
}

/** A text or a whole number, as the library reads it in block context. */
function scalarNode(text: string): Scalar | undefined {
  if (WHOLE.test(text)) {
    const node = new Scalar(Number(text));
    node.source = text; // decodeItem reads a number typed where text belongs as its digits
    return node;
  }
  return stringNode(text);
}

function stringNode(text: string): Scalar | undefined {
  if (isPlainScalar(text)) return new Scalar(text);
  return QUOTED.test(text) ? new Scalar(text.slice(1, -1)) : undefined;
}

/** `  - url: U` and, when the next line is one, `    title: T`. */
function reference(line: string, next: string | undefined): YAMLMap | undefined {
  const url = stringNode(line.slice(URL_ITEM.length));
  if (url === undefined) return undefined;
  const map = new YAMLMap();
  map.items.push(new Pair(new Scalar('url'), url));
  if (next?.startsWith(TITLE_LINE)) {
    const title = stringNode(next.slice(TITLE_LINE.length));
    if (title === undefined) return undefined;
    map.items.push(new Pair(new Scalar('title'), title));
  }
  return map;
}
