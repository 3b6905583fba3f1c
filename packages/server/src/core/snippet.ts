/**
 * Builds a short plain-text excerpt around the first matched term, so results explain themselves.
 * Bodies are Markdown; a snippet is read as text (the viewer highlights the query's words in it,
 * MCP clients print it), so the Markdown syntax is removed first and the words are kept.
 */
export function makeSnippet(text: string, terms: readonly string[], width = 160): string {
  const flat = markdownToText(text);
  if (flat.length <= width) return flat;
  const lower = flat.toLowerCase();
  let at = -1;
  for (const term of terms) {
    const index = lower.indexOf(term.toLowerCase());
    if (index >= 0 && (at < 0 || index < at)) at = index;
  }
  if (at < 0) return `${cutEnd(flat, width - 1)}…`;
  let start = Math.max(0, at - Math.floor(width / 3));
  // Start on a word, not inside one, when a word start is near.
  if (start > 0) {
    const space = flat.lastIndexOf(' ', start);
    if (space >= 0 && start - space <= 12 && space < at) start = space + 1;
  }
  const end = Math.min(flat.length, start + width);
  const body = end < flat.length ? cutEnd(flat.slice(start), end - start) : flat.slice(start, end);
  return `${start > 0 ? '…' : ''}${body}${end < flat.length ? '…' : ''}`;
}

/** The first `max` characters, ending at a word boundary when one is near. */
function cutEnd(text: string, max: number): string {
  if (text.length <= max) return text;
  const space = text.lastIndexOf(' ', max);
  return (space > max - 12 ? text.slice(0, space) : text.slice(0, max)).trimEnd();
}

// Backslash escapes are parked on private-use characters while the syntax is stripped,
// so `\*` survives as a literal star. U+E000–U+E07F maps back to ASCII by subtraction.
const ESCAPE = /\\([!-/:-@[-`{-~])/g;
const PARKED = /[\uE000-\uE07F]/g;
const FENCE = /^\s*(`{3,}|~{3,})/;
const TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const SETEXT_RULE = /^ {0,3}(=+|-+)\s*$/;
const LINK_DEFINITION = /^ {0,3}\[[^\]]+\]:\s+\S/;
const BLOCK_START = /^\s*[-*_=+#>[|\d]/;
const BLOCK_PREFIX = /^\s*(?:>\s?)+/;
const HEADING = /^\s{0,3}#{1,6}(?:\s+|$)/;
const CLOSING_HASHES = /\s+#+\s*$/;
const LIST_MARKER = /^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?/;
const INLINE_CODE = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g;
const IMAGE_OR_LINK = /!?\[([^[\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+"[^"]*")?\)/g;
const REFERENCE_LINK = /!?\[([^[\]]+)\]\[[^[\]]*\]/g;
const AUTOLINK = /<((?:https?|mailto):[^>\s]+)>/g;
const HTML_COMMENT = /<!--[\s\S]*?-->/g;
const HTML_TAG = /<\/?([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?\/?>/g;
// Inline tags sit inside words ("re<b>try</b>"); any other tag separates what is around it.
const INLINE_TAGS = new Set([
  'a',
  'abbr',
  'b',
  'code',
  'em',
  'i',
  'kbd',
  'mark',
  's',
  'span',
  'strong',
  'sub',
  'sup',
  'u',
]);
// Emphasis markers at a word's edge; a star or underscore between letters (snake_case, a*b) is text.
const STARS = /(?<![\p{L}\p{N}])\*+(?=\S)|(?<=\S)\*+(?![\p{L}\p{N}])/gu;
const UNDERSCORES = /(?<![\p{L}\p{N}])_+(?=\S)|(?<=\S)_+(?![\p{L}\p{N}])/gu;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };
const ENTITY = /&(amp|lt|gt|quot|apos|nbsp|#39);/g;

/** Markdown to one line of plain text: the words a reader sees, none of the syntax. */
export function markdownToText(markdown: string): string {
  // Fast path: text with no Markdown punctuation at all only needs its whitespace collapsed.
  if (!/[`*_#>[\]!|<~=&\\-]|^\s*\d+[.)]\s/m.test(markdown)) return markdown.replace(/\s+/g, ' ').trim();
  const source = markdown.includes('<!--') ? markdown.replace(HTML_COMMENT, ' ') : markdown;
  const out: string[] = [];
  // Prose lines are gathered and their inline syntax removed in one pass per paragraph
  // (a regex per line costs several times more on long bodies); code goes out as written.
  let prose: string[] = [];
  const flush = () => {
    if (prose.length) out.push(inlineText(prose.join('\n')));
    prose = [];
  };
  let fence: string | undefined;
  for (const line of source.split('\n')) {
    const match = FENCE.exec(line);
    const marker = match?.[1];
    if (fence !== undefined) {
      // Inside a code block the text is kept as written, only the closing fence goes.
      const closes = match && marker && marker[0] === fence[0] && marker.length >= fence.length;
      if (closes && !line.slice(match[0].length).trim()) fence = undefined;
      else out.push(line);
      continue;
    }
    if (marker) {
      flush();
      fence = marker; // the info string ("ts", "mermaid") is not text either
      continue;
    }
    // A blank line ends a paragraph, and with it any code span or link (it also bounds the regexes' work).
    if (!line.trim()) flush();
    else prose.push(blockText(line));
  }
  flush();
  return out.join(' ').replace(/\s+/g, ' ').trim();
}

/** Removes what marks a line as a heading, quote, list item, task, rule or table row. */
function blockText(line: string): string {
  // Most lines start with a letter and hold no pipe: nothing to do.
  if (!BLOCK_START.test(line) && !line.includes('|')) return line;
  if (TABLE_RULE.test(line) || THEMATIC_BREAK.test(line) || SETEXT_RULE.test(line) || LINK_DEFINITION.test(line))
    return '';
  let text = line.replace(BLOCK_PREFIX, '');
  if (HEADING.test(text)) text = text.replace(HEADING, '').replace(CLOSING_HASHES, '');
  text = text.replace(LIST_MARKER, '');
  // A table row: its pipes separate cells, they are not text.
  if (text.includes('|') && (/^\s*\|/.test(text) || / \| /.test(text)))
    text = text.replace(/^\s*\||\|\s*$/g, '').replace(/\s*(?<!\\)\|\s*/g, '  ');
  return text;
}

/** Removes inline syntax; code spans keep their text as written. */
function inlineText(text: string): string {
  const parked = text.includes('\\') ? text.replace(ESCAPE, park) : text;
  if (!parked.includes('`')) return plainInline(parked).replace(PARKED, unpark);
  const parts = parked.split(INLINE_CODE);
  // split() with two groups yields [text, ticks, code, text, ticks, code, …].
  let plain = '';
  for (let i = 0; i < parts.length; i += 3) {
    plain += plainInline(parts[i] ?? '');
    const code = parts[i + 2];
    // In code a backslash is literal: give it back.
    if (code !== undefined) plain += code.trim().replace(PARKED, (c) => `\\${unpark(c)}`);
  }
  return plain.replace(PARKED, unpark);
}

function park(_escape: string, c: string): string {
  return String.fromCharCode(0xe000 + c.charCodeAt(0));
}

function unpark(c: string): string {
  return String.fromCharCode(c.charCodeAt(0) - 0xe000);
}

function plainInline(text: string): string {
  if (!text) return text;
  // Each rule only runs where its character occurs: most prose has few of them.
  if (text.includes('[')) text = text.replace(IMAGE_OR_LINK, '$1').replace(REFERENCE_LINK, '$1');
  if (text.includes('<')) text = text.replace(AUTOLINK, '$1').replace(HTML_TAG, htmlTag);
  if (text.includes('~')) text = text.replace(/~~/g, '');
  if (text.includes('*')) text = text.replace(STARS, '');
  if (text.includes('_')) text = text.replace(UNDERSCORES, '');
  if (text.includes('&')) text = text.replace(ENTITY, (_, name: string) => ENTITIES[name] ?? '');
  return text;
}

function htmlTag(_tag: string, name: string): string {
  return INLINE_TAGS.has(name.toLowerCase()) ? '' : ' ';
}
