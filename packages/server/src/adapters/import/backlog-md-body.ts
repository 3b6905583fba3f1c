import type { Status } from '@backlog-mcp/shared';
import { parseDocument } from 'yaml';
import { SourceError } from '../../core/import/imported-item.js';

/** One Backlog.md Markdown file split into its YAML front matter and its body. */
export interface ParsedFile {
  data: Record<string, unknown>;
  body: string;
}

const FENCE = /^---[ \t]*$/;

/**
 * Splits and parses a file's front matter. Lines reported in errors are the file's, not the
 * front matter's, so a user can jump straight to them.
 */
export function parseFrontMatter(file: string, text: string): ParsedFile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? ''))
    throw new SourceError(file, 'no YAML front matter (the file must start with ---)', 1);
  const end = lines.findIndex((line, i) => i > 0 && FENCE.test(line));
  if (end < 0) throw new SourceError(file, 'front matter is not closed by a --- line', 1);
  const doc = parseDocument(lines.slice(1, end).join('\n'), { prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0]?.line;
    throw new SourceError(file, `front matter is not valid YAML: ${firstLine(error.message)}`, line ? line + 1 : 2);
  }
  const data: unknown = doc.toJS();
  if (data !== null && data !== undefined && (typeof data !== 'object' || Array.isArray(data))) {
    throw new SourceError(file, 'front matter is not a YAML mapping', 2);
  }
  return { data: (data ?? {}) as Record<string, unknown>, body: lines.slice(end + 1).join('\n') };
}

/** The parser's position counts from the front matter, not the file; the line is reported apart. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/\s*at line \d+, column \d+:?\s*$/, '');
}

/** Backlog.md wraps each section in markers for its own editor; they mean nothing to a reader. */
const MARKER = /^[ \t]*<!--\s*(?:SECTION:[A-Z][A-Z0-9_]*|COMMENTS|COMMENT|AC|DOD):(?:BEGIN|END)\s*-->[ \t]*$/;
/** Criteria are numbered ("- [ ] #1 ...") for the CLI's --check-ac; the number is not content. */
const NUMBERED_CHECKBOX = /^(\s*[-*] \[[ xX]\] )#\d+ /;

interface Section {
  heading?: string;
  lines: string[];
}

/**
 * The body as our Markdown description: the `## Description` section's text first (without its
 * heading, since the whole body is the description), then every other section (acceptance
 * criteria, plan, notes, final summary, comments...) under its own heading, checkboxes kept.
 */
export function bodyToDescription(body: string): string {
  const sections: Section[] = [{ lines: [] }];
  for (const raw of body.split(/\r?\n/)) {
    if (MARKER.test(raw)) continue;
    const heading = /^##\s+(.+?)\s*$/.exec(raw);
    if (heading) {
      sections.push({ heading: heading[1] ?? '', lines: [] });
      continue;
    }
    sections[sections.length - 1]?.lines.push(raw.replace(NUMBERED_CHECKBOX, '$1'));
  }
  const lead: string[] = [];
  const rest: string[] = [];
  for (const section of sections) {
    const lines = section.heading?.toLowerCase() === 'comments' ? formatComments(section.lines) : section.lines;
    const text = lines.join('\n').trim();
    if (section.heading === undefined || section.heading.toLowerCase() === 'description') {
      if (text) lead.push(text);
    } else if (text) {
      rest.push(`## ${section.heading}\n\n${text}`);
    }
  }
  return [...lead, ...rest].join('\n\n');
}

/**
 * Backlog.md fences each comment's header ("created: ...", "author: ...") and text with `---`
 * lines, which Markdown would read as headings or rules; each becomes an italic header line and
 * its text instead.
 */
function formatComments(lines: readonly string[]): string[] {
  const out: string[] = [];
  let header: string[] = [];
  let inText = false;
  for (const line of lines) {
    if (/^---\s*$/.test(line)) {
      if (!inText && header.length) out.push(`*${header.join(', ')}*`, '');
      if (inText) out.push('');
      header = [];
      inText = !inText;
    } else if (inText) {
      out.push(line);
    } else if (line.trim()) {
      header.push(line.trim());
    }
  }
  // An unfenced leftover (hand-edited file) is kept as text rather than lost.
  if (header.length) out.push(...header);
  return out;
}

/**
 * Backlog.md writes 'YYYY-MM-DD' or 'YYYY-MM-DD HH:mm' in the machine's local time without saying
 * which zone; we read them as UTC, so a date may be off by the author's offset but never invalid.
 */
export function toIsoDate(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The statuses Backlog.md ships with; anything else came from the project's config.yml. */
const BUILT_IN: Readonly<Record<string, Status>> = {
  'to do': 'open',
  'in progress': 'in_progress',
  done: 'done',
  draft: 'open',
};

/** Custom statuses are guessed from words in their names, first match wins. */
const BY_WORD: ReadonlyArray<readonly [RegExp, Status]> = [
  [/cancel|won'?t|wont|abandon|reject|obsolete|drop/, 'cancelled'],
  [/block|wait|hold|stuck|paused/, 'blocked'],
  [/done|complete|closed|finished|resolved|shipped|released/, 'done'],
  [/review|\bqa\b|test|verif|progress|doing|started|active|wip/, 'in_progress'],
];

export interface MappedStatus {
  status: Status;
  /** True when the name is not one of Backlog.md's own and was mapped by guess. */
  custom: boolean;
}

export function mapStatus(name: string): MappedStatus {
  const key = name.trim().replace(/\s+/g, ' ').toLowerCase();
  const builtIn = BUILT_IN[key];
  if (builtIn) return { status: builtIn, custom: false };
  for (const [pattern, status] of BY_WORD) if (pattern.test(key)) return { status, custom: true };
  return { status: 'open', custom: true };
}

/** Decisions have free-form statuses (proposed, accepted, rejected, superseded...). */
export function mapDecisionStatus(name: string): Status {
  const key = name.trim().toLowerCase();
  if (/accept|approv|adopt|done/.test(key)) return 'done';
  if (/reject|supersed|deprecat|withdrawn|cancel/.test(key)) return 'cancelled';
  return 'open';
}

export const TITLE_MAX = 500;
const LABELS_MAX = 20;
const LABEL_LENGTH_MAX = 40;

/** Our label rules (lower-case, unique, ≤ 20 of ≤ 40 chars); what does not fit is reported. */
export function cleanLabels(id: string, raw: readonly string[], warnings: string[]): string[] {
  const out: string[] = [];
  for (const value of raw) {
    const label = value.trim().replace(/\s+/g, ' ').toLowerCase();
    if (!label || out.includes(label)) continue;
    if (label.length > LABEL_LENGTH_MAX) {
      warnings.push(`${id}: label "${label}" is longer than ${LABEL_LENGTH_MAX} characters; skipped`);
      continue;
    }
    if (out.length === LABELS_MAX) {
      warnings.push(`${id}: more than ${LABELS_MAX} labels; "${label}" and later ones skipped`);
      break;
    }
    out.push(label);
  }
  return out;
}

/** A front matter value as a list of strings: YAML lists, or one comma-separated string. */
export function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map((v) => String(v).trim());
  if (typeof value === 'string')
    return value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  return [];
}

export function stringField(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Natural order ("task-2" < "task-2.1" < "task-10"), so plans come out the same every time. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' }) || (a < b ? -1 : a > b ? 1 : 0);
}
