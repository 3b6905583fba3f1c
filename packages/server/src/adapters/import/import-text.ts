import { LABEL_LIMITS, normalizeLabels } from '@backlog-mcp/shared';

/**
 * Small text helpers shared by the beads and GitHub importers: the limits our item model
 * enforces at its edge (labels, titles) applied to foreign data, with a warning for every
 * loss, so a user moving their tasks learns what was cut instead of finding it later.
 */

export const TITLE_LIMIT = 500;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty trimmed string, or undefined: foreign JSON may hold null, numbers or "" anywhere. */
export function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Labels in our spelling (normalizeLabels), each cut to 40 characters and at most 20 kept;
 * `where` names the item in the warnings (e.g. "bd-a1b2").
 */
export function importLabels(raw: readonly string[], where: string, warnings: string[]): string[] {
  const cut = normalizeLabels(raw).map((label) => {
    if (label.length <= LABEL_LIMITS.length) return label;
    warnings.push(`${where}: label "${label}" cut to ${LABEL_LIMITS.length} characters`);
    return label.slice(0, LABEL_LIMITS.length).trim();
  });
  // Cutting can make two labels equal, so normalise once more.
  const labels = normalizeLabels(cut);
  if (labels.length > LABEL_LIMITS.perItem) {
    const dropped = labels.slice(LABEL_LIMITS.perItem);
    warnings.push(
      `${where}: ${dropped.length} label(s) over the limit of ${LABEL_LIMITS.perItem} left out: ${dropped.join(', ')}`,
    );
    return labels.slice(0, LABEL_LIMITS.perItem);
  }
  return labels;
}

/** The title cut to 500 characters; an empty one becomes the source ID so the item stays findable. */
export function importTitle(raw: unknown, where: string, warnings: string[]): string {
  const title = text(typeof raw === 'string' ? raw.replace(/\s+/g, ' ') : raw);
  if (!title) {
    warnings.push(`${where}: no title; the source ID is used instead`);
    return where;
  }
  if (title.length <= TITLE_LIMIT) return title;
  warnings.push(`${where}: title cut to ${TITLE_LIMIT} characters`);
  return title.slice(0, TITLE_LIMIT).trimEnd();
}

/**
 * A Markdown body: the main text, then one "## Heading" section per non-empty part, so fields we
 * have no place for (design, acceptance criteria, notes...) stay readable in the description.
 */
export function markdownBody(main: unknown, sections: ReadonlyArray<readonly [string, unknown]>): string {
  const parts: string[] = [];
  const lead = text(main);
  if (lead) parts.push(lead);
  for (const [heading, body] of sections) {
    const content = text(body);
    if (content) parts.push(`## ${heading}\n\n${content}`);
  }
  return parts.length ? `${parts.join('\n\n')}\n` : '';
}

/** An ISO 8601 timestamp (UTC), or undefined with a warning when the source's value does not parse. */
export function isoTime(raw: unknown, where: string, field: string, warnings: string[]): string | undefined {
  const value = text(raw);
  if (!value) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    warnings.push(`${where}: ${field} "${value}" is not a date; left out`);
    return undefined;
  }
  return new Date(time).toISOString();
}

/** YYYY-MM-DD of a timestamp, taken in UTC: sources give due dates as full timestamps. */
export function isoDay(raw: unknown, where: string, field: string, warnings: string[]): string | undefined {
  return isoTime(raw, where, field, warnings)?.slice(0, 10);
}

export function isHttpUrl(value: string): boolean {
  return /^https?:\/\/\S+$/i.test(value);
}

/** The 1-based line of a character offset in `source`. */
export function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}
