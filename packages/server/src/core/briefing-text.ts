import type { BriefingData, BriefingLine, SectionName } from './briefing.js';

/** ~600 tokens of this text (IDs and short words run about 3.5 bytes per token; measured in docs/benchmarks.md). */
export const BRIEFING_DEFAULT_BYTES = 2000;
export const BRIEFING_MIN_BYTES = 200;
export const BRIEFING_MAX_BYTES = 100_000;

/** What programs get: the briefing's facts as they fit the ceiling, with counts of what did not. */
export interface Briefing {
  agent?: string;
  generated_at: string;
  since: string;
  since_reason: BriefingData['since_reason'];
  counts: BriefingData['counts'];
  sections: Partial<Record<SectionName, { items: BriefingLine[]; total: number; more: number }>>;
  bytes: number;
  max_bytes: number;
  text: string;
}

/** The order sections are shown in, with the lines each starts with before the ceiling trims. */
const ORDER: ReadonlyArray<{ name: SectionName; start: number }> = [
  { name: 'yours', start: 5 },
  { name: 'in_progress', start: 5 },
  { name: 'ready', start: 6 },
  { name: 'blocked', start: 4 },
  { name: 'done_since', start: 5 },
  { name: 'milestones', start: 3 },
];
/** Trimmed first when the ceiling is tight: what happened matters less than what to do now. */
const TRIM_ORDER: readonly SectionName[] = ['done_since', 'milestones', 'blocked', 'in_progress', 'ready', 'yours'];
const TITLE_CHARS = 72;
const FOOTER =
  'More: backlog_context task_id=ID (an item with its parent, children, blockers, history), ' +
  'backlog_search query=WORDS, backlog_list ready=true.';

const encoder = new TextEncoder();
const bytesOf = (text: string) => encoder.encode(text).length;

function ago(from: string, now: number): string {
  const minutes = Math.max(0, Math.round((now - Date.parse(from)) / 60_000));
  if (minutes === 0) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

function dueIn(due: string, now: number): string {
  const days = Math.ceil((Date.parse(due) - now) / 86_400_000);
  if (days < 0) return `overdue by ${-days} day${days === -1 ? '' : 's'}`;
  return days === 0 ? 'due today' : `due in ${days} day${days === 1 ? '' : 's'}`;
}

function title(text: string): string {
  return text.length > TITLE_CHARS ? `${text.slice(0, TITLE_CHARS - 1)}…` : text;
}

function lease(minutes: number | undefined): string | undefined {
  if (minutes === undefined) return undefined;
  return minutes >= 0 ? `lease ${minutes} min left` : `lease lapsed ${-minutes} min ago`;
}

/** Status as the header says it: "in progress", not the field's value. */
const said = (status: string) => status.replace('_', ' ');

function describe(section: SectionName, item: BriefingLine, now: number): string {
  const notes: Array<string | undefined> = [];
  const priority = item.priority && item.priority !== 'medium' ? item.priority : undefined;
  if (section === 'yours') {
    const lapsed = (item.lease_minutes ?? 0) < 0;
    const status = item.status === 'in_progress' ? undefined : said(item.status);
    notes.push(priority, status, lease(item.lease_minutes), lapsed ? 'renew or release it' : undefined);
  }
  if (section === 'in_progress') notes.push(item.holder ? `${item.holder}, ${lease(item.lease_minutes)}` : 'unclaimed');
  if (section === 'ready') notes.push(priority);
  if (section === 'blocked') {
    const waits = item.waits_on?.map((blocker) => `${blocker.id} ${said(blocker.status)}`).join(', ');
    notes.push(waits ? `waits on ${waits}` : undefined, item.reason && title(item.reason));
  }
  if (section === 'done_since' && item.at) notes.push(ago(item.at, now));
  if (section === 'milestones' && item.at) notes.push(`${dueIn(item.at, now)}, ${item.done}/${item.total} done`);
  const shown = notes.filter(Boolean);
  return `- ${item.id} ${title(item.title)}${shown.length ? ` [${shown.join('; ')}]` : ''}`;
}

function heading(section: SectionName, data: BriefingData, now: number): string {
  switch (section) {
    case 'yours':
      return `Yours (${data.agent}):`;
    case 'in_progress':
      return data.agent ? 'In progress by others:' : 'In progress:';
    case 'ready':
      return 'Ready, in pick order:';
    case 'blocked':
      return 'Blocked or waiting:';
    case 'done_since':
      return data.since_reason === 'last_activity'
        ? `Done since your last activity (${ago(data.since, now)}):`
        : 'Done in the last 24 h:';
    case 'milestones':
      return 'Milestones due within 14 days:';
  }
}

function header(data: BriefingData): string {
  const s = data.counts.by_status;
  const parts = [
    `${s.open ?? 0} open`,
    `${s.in_progress ?? 0} in progress`,
    `${s.blocked ?? 0} blocked`,
    `${s.done ?? 0} done`,
    `${s.cancelled ?? 0} cancelled`,
  ];
  const items = `${data.counts.total} item${data.counts.total === 1 ? '' : 's'}`;
  return `Backlog briefing${data.agent ? ` for ${data.agent}` : ''}: ${items} (${parts.join(', ')}).`;
}

const SUMMARY_NAMES: Record<SectionName, [string, string]> = {
  yours: ['yours', 'yours'],
  in_progress: ['in progress', 'in progress'],
  ready: ['ready', 'ready'],
  blocked: ['blocked or waiting', 'blocked or waiting'],
  done_since: ['done lately', 'done lately'],
  milestones: ['milestone due', 'milestones due'],
};

function render(data: BriefingData, shown: Map<SectionName, number>, now: number, footer: boolean): string {
  const lines = [header(data)];
  const hidden: string[] = [];
  for (const { name } of ORDER) {
    const section = data.sections[name];
    const count = shown.get(name);
    if (count === undefined) continue;
    // A section trimmed to nothing costs one word in the summary line, not a heading.
    if (count === 0) {
      hidden.push(`${section.total} ${SUMMARY_NAMES[name][section.total === 1 ? 0 : 1]}`);
      continue;
    }
    lines.push(heading(name, data, now));
    for (const item of section.items.slice(0, count)) lines.push(describe(name, item, now));
    const more = section.total - count;
    if (more > 0) lines.push(`- +${more} more${name === 'ready' ? ' ready' : ''}`);
  }
  if (hidden.length > 0) lines.push(`Not shown: ${hidden.join(', ')}.`);
  if (footer) lines.push(FOOTER);
  return lines.join('\n');
}

/**
 * The section to give up a line: every other section down to one line, the least urgent first
 * (TRIM_ORDER), then their last lines; your own claims only after all of that.
 */
function toTrim(shown: Map<SectionName, number>): SectionName | undefined {
  const others = TRIM_ORDER.filter((section) => section !== 'yours');
  for (const floor of [1, 0]) {
    const name = others.find((section) => (shown.get(section) ?? 0) > floor);
    if (name) return name;
  }
  return (shown.get('yours') ?? 0) > 0 ? 'yours' : undefined;
}

/** Cuts at the last whole line under the ceiling: the hard guarantee when even the headings do not fit. */
function cut(text: string, maxBytes: number): string {
  if (bytesOf(text) <= maxBytes) return text;
  const lines = text.split('\n');
  while (lines.length > 1 && bytesOf(lines.join('\n')) > maxBytes) lines.pop();
  const kept = lines.join('\n');
  return bytesOf(kept) <= maxBytes
    ? kept
    : new TextDecoder().decode(encoder.encode(kept).slice(0, maxBytes)).replace(/\uFFFD$/, '');
}

/** The briefing as text within `maxBytes`, and the same facts as data. Empty sections are left out. */
export function fitBriefing(
  data: BriefingData,
  maxBytes = BRIEFING_DEFAULT_BYTES,
  now = Date.parse(data.generated_at),
): Briefing {
  const shown = new Map<SectionName, number>();
  for (const { name, start } of ORDER) {
    const total = data.sections[name].total;
    if (total > 0) shown.set(name, Math.min(start, data.sections[name].items.length));
  }
  // The pointer to more tools is worth its 140 bytes only when the ceiling leaves room for facts too.
  const footer = maxBytes >= 4 * bytesOf(FOOTER);
  let text = render(data, shown, now, footer);
  while (bytesOf(text) > maxBytes) {
    const name = toTrim(shown);
    if (!name) break;
    shown.set(name, (shown.get(name) ?? 1) - 1);
    text = render(data, shown, now, footer);
  }
  text = cut(text, maxBytes);
  const sections: Briefing['sections'] = {};
  for (const [name, count] of shown) {
    const section = data.sections[name];
    sections[name] = { items: section.items.slice(0, count), total: section.total, more: section.total - count };
  }
  return {
    ...(data.agent ? { agent: data.agent } : {}),
    generated_at: data.generated_at,
    since: data.since,
    since_reason: data.since_reason,
    counts: data.counts,
    sections,
    bytes: bytesOf(text),
    max_bytes: maxBytes,
    text,
  };
}
