import { open, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { EntityType, Priority, Status } from '@backlog-mcp/shared';
import { type ImportBatch, type ImportedItem, SourceError } from '../../core/import/imported-item.js';
import { importLabels, importTitle, isHttpUrl, isoDay, isoTime, isRecord, markdownBody, text } from './import-text.js';
import type { Importer } from './importer.js';

/**
 * beads (github.com/steveyegge/beads) keeps its issues in `.beads/issues.jsonl`, one JSON object
 * per line as `bd export` writes them (internal/types/types.go, Issue; cmd/bd/export.go). Mapping:
 *
 * - issue_type epic → epic, milestone → milestone; anything else (bug, feature, chore, spike,
 *   story, decision...) → task, labelled with its issue_type (not "task": it would say nothing).
 * - status open/in_progress/blocked → the same; hooked (claimed by a worker) → in_progress;
 *   deferred and pinned → open with a `deferred` / `pinned` label; closed → done, or cancelled
 *   when close_reason reads as won't fix / duplicate / obsolete / cancelled / not planned / invalid;
 *   tombstone (a deleted issue) → skipped with a warning, as `bd import` does. Unknown → open, warned.
 * - priority 0–1 → high, 2 → medium, 3–4 → low.
 * - dependencies (recorded on the dependent issue, `issue_id`): `blocks` means issue_id waits for
 *   depends_on_id (cmd/bd/dep.go: "bd dep A --blocks B" stores issue_id=B, depends_on_id=A), so
 *   depends_on_id goes to blocked_by. `parent-child` stores the child as issue_id: a task (or
 *   anything not an epic) under an epic gets `epic`, everything else `parent`. `related` and
 *   `discovered-from` → extra.related / extra.discovered_from; other kinds → extra.dependencies.
 * - design, acceptance_criteria, notes, comments → "## ..." sections of the description.
 * - close_reason → evidence "Closed: …" and extra.close_reason; assignee → extra.assignees (our
 *   `assignee` is an agent's leased claim); external_ref → a reference when it is a URL, else
 *   extra.external_ref; due_at → due_date; owner, defer_until, closed_at, metadata → extra.
 */

const ISSUES_FILE = 'issues.jsonl';
const CANCELLED_REASON = /won'?t[\s_-]?fix|wontfix|duplicate|obsolete|cancel+ed|not[\s_-]planned|invalid/i;

// A Map, not an object literal: a status such as "constructor" must not find Object.prototype.
const SAME_STATUS = new Map<string, Status>([
  ['open', 'open'],
  ['in_progress', 'in_progress'],
  ['blocked', 'blocked'],
]);

interface Line {
  record: Record<string, unknown>;
  line: number;
}

interface Links {
  blockers: string[];
  parents: string[];
  related: string[];
  discovered: string[];
  other: Array<{ type: string; id: string }>;
}

async function isDirectory(path: string): Promise<boolean | undefined> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return undefined;
  }
}

/** The issues file a path names: the file itself, `<.beads>/issues.jsonl`, or `<project>/.beads/issues.jsonl`. */
async function issuesFile(path: string): Promise<{ file: string; byName: boolean } | undefined> {
  const dir = await isDirectory(path);
  if (dir === undefined) return undefined;
  if (!dir) return { file: path, byName: false };
  const candidates = basename(path) === '.beads' ? [join(path, ISSUES_FILE)] : [join(path, '.beads', ISSUES_FILE)];
  for (const file of candidates) if ((await isDirectory(file)) === false) return { file, byName: true };
  return undefined;
}

/** The first non-empty line, from the first 64 KiB only: detect must stay cheap on a large export. */
async function firstLine(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer
      .toString('utf8', 0, bytesRead)
      .split('\n')
      .find((line) => line.trim());
  } finally {
    await handle.close();
  }
}

function looksLikeBeads(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return (
      isRecord(value) &&
      'id' in value &&
      'title' in value &&
      'status' in value &&
      ('issue_type' in value || typeof value.priority === 'number')
    );
  } catch {
    return false;
  }
}

async function detect(path: string): Promise<boolean> {
  const found = await issuesFile(path);
  if (!found) return false;
  if (found.byName) return true;
  if (!found.file.endsWith('.jsonl')) return false;
  const line = await firstLine(found.file);
  return line !== undefined && looksLikeBeads(line);
}

function parseLines(file: string, content: string): Line[] {
  const lines: Line[] = [];
  content.split('\n').forEach((raw, index) => {
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new SourceError(file, `not JSON (${(error as Error).message})`, index + 1);
    }
    if (!isRecord(value)) throw new SourceError(file, 'a line is not a JSON object', index + 1);
    lines.push({ record: value, line: index + 1 });
  });
  return lines;
}

function mapType(raw: unknown): { type: EntityType; label?: string } {
  const kind = text(raw)?.toLowerCase() ?? 'task';
  if (kind === 'epic' || kind === 'milestone') return { type: kind };
  return kind === 'task' ? { type: 'task' } : { type: 'task', label: kind };
}

function mapStatus(
  raw: unknown,
  closeReason: string | undefined,
  where: string,
  warnings: string[],
): { status: Status; label?: string } {
  const status = text(raw)?.toLowerCase() ?? 'open';
  const same = SAME_STATUS.get(status);
  if (same) return { status: same };
  if (status === 'hooked') return { status: 'in_progress' };
  if (status === 'deferred' || status === 'pinned') return { status: 'open', label: status };
  if (status === 'closed') {
    return { status: closeReason && CANCELLED_REASON.test(closeReason) ? 'cancelled' : 'done' };
  }
  warnings.push(`${where}: status "${status}" is not one beads documents; imported as open`);
  return { status: 'open', label: status };
}

function mapPriority(raw: unknown, where: string, warnings: string[]): Priority | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > 4) {
    warnings.push(`${where}: priority ${JSON.stringify(raw)} is not 0-4; left out`);
    return undefined;
  }
  return raw <= 1 ? 'high' : raw === 2 ? 'medium' : 'low';
}

function commentsSection(raw: unknown): string | undefined {
  if (!Array.isArray(raw)) return undefined;
  const lines = raw.filter(isRecord).flatMap((comment) => {
    const body = text(comment.text);
    if (!body) return [];
    const who = [text(comment.author), text(comment.created_at)].filter(Boolean).join(', ');
    return [`- ${who ? `${who}: ` : ''}${body.replace(/\n/g, '\n  ')}`];
  });
  return lines.length ? lines.join('\n') : undefined;
}

function linksOf(record: Record<string, unknown>, id: string): Links {
  const links: Links = { blockers: [], parents: [], related: [], discovered: [], other: [] };
  const deps = Array.isArray(record.dependencies) ? record.dependencies.filter(isRecord) : [];
  for (const dep of deps) {
    const target = text(dep.depends_on_id);
    // A dependency listed under an issue normally belongs to it; one that does not is someone else's edge.
    if (!target || (text(dep.issue_id) ?? id) !== id) continue;
    const type = text(dep.type) ?? 'blocks';
    if (type === 'blocks') links.blockers.push(target);
    else if (type === 'parent-child') links.parents.push(target);
    else if (type === 'related') links.related.push(target);
    else if (type === 'discovered-from') links.discovered.push(target);
    else links.other.push({ type, id: target });
  }
  return links;
}

function extraOf(record: Record<string, unknown>, links: Links, closeReason: string | undefined) {
  const extra: Record<string, unknown> = {};
  const assignee = text(record.assignee);
  if (assignee) extra.assignees = [assignee];
  if (closeReason) extra.close_reason = closeReason;
  const ref = text(record.external_ref);
  if (ref && !isHttpUrl(ref)) extra.external_ref = ref;
  for (const key of ['owner', 'defer_until', 'closed_at'] as const) {
    const value = text(record[key]);
    if (value) extra[key] = value;
  }
  if (isRecord(record.metadata) || Array.isArray(record.metadata)) extra.metadata = record.metadata;
  if (links.related.length) extra.related = links.related;
  if (links.discovered.length) extra.discovered_from = links.discovered;
  if (links.other.length) extra.dependencies = links.other;
  return extra;
}

function toItem(record: Record<string, unknown>, id: string, warnings: string[]): ImportedItem | undefined {
  if (text(record.status)?.toLowerCase() === 'tombstone') {
    warnings.push(`${id}: deleted in beads (tombstone); skipped`);
    return undefined;
  }
  const closeReason = text(record.close_reason);
  const { type, label: typeLabel } = mapType(record.issue_type);
  const { status, label: statusLabel } = mapStatus(record.status, closeReason, id, warnings);
  const rawLabels = Array.isArray(record.labels) ? record.labels.filter((l) => typeof l === 'string') : [];
  const labels = importLabels([typeLabel ?? '', statusLabel ?? '', ...rawLabels], id, warnings);
  const description = markdownBody(record.description, [
    ['Design', record.design],
    ['Acceptance criteria', record.acceptance_criteria],
    ['Notes', record.notes],
    ['Comments', commentsSection(record.comments)],
  ]);
  const item: ImportedItem = {
    source: { system: 'beads', id },
    type,
    title: importTitle(record.title, id, warnings),
    status,
    description,
  };
  const priority = mapPriority(record.priority, id, warnings);
  if (priority) item.priority = priority;
  if (labels.length) item.labels = labels;
  const due = isoDay(record.due_at, id, 'due_at', warnings);
  if (due) item.due_date = due;
  const ref = text(record.external_ref);
  if (ref && isHttpUrl(ref)) item.references = [{ url: ref, title: 'External reference' }];
  if (closeReason) item.evidence = [`Closed: ${closeReason}`];
  const created = isoTime(record.created_at, id, 'created_at', warnings);
  if (created) item.created_at = created;
  const updated = isoTime(record.updated_at, id, 'updated_at', warnings);
  if (updated) item.updated_at = updated;
  const extra = extraOf(record, linksOf(record, id), closeReason);
  if (Object.keys(extra).length) item.extra = extra;
  return item;
}

/** Points parents and blockers at other items of the batch; edges to anything else are dropped with a warning. */
function link(items: ImportedItem[], records: Map<string, Record<string, unknown>>, warnings: string[]): void {
  const byId = new Map(items.map((item) => [item.source.id, item]));
  for (const item of items) {
    const id = item.source.id;
    const links = linksOf(records.get(id) ?? {}, id);
    const [parentId, ...moreParents] = links.parents.filter((p) => {
      if (byId.has(p)) return true;
      warnings.push(`${id}: parent ${p} is not in this import; the link is dropped`);
      return false;
    });
    if (moreParents.length)
      warnings.push(`${id}: more than one parent; kept ${parentId}, dropped ${moreParents.join(', ')}`);
    const parent = parentId ? byId.get(parentId) : undefined;
    if (parent?.type === 'epic' && item.type !== 'epic') item.epic = parent.source.id;
    else if (parent) item.parent = parent.source.id;
    const blockers = [...new Set(links.blockers)].filter((b) => {
      if (byId.has(b) && b !== id) return true;
      const why = b === id ? 'is the issue itself' : 'is not in this import';
      warnings.push(`${id}: blocker ${b} ${why}; the dependency is dropped`);
      return false;
    });
    if (blockers.length) item.blocked_by = blockers;
  }
}

async function read(path: string): Promise<ImportBatch> {
  const found = await issuesFile(path);
  if (!found) throw new SourceError(path, `no beads ${ISSUES_FILE} here (looked for .beads/${ISSUES_FILE})`);
  const content = await readFile(found.file, 'utf8');
  const warnings: string[] = [];
  const items: ImportedItem[] = [];
  const records = new Map<string, Record<string, unknown>>();
  let memories = 0;
  for (const { record, line } of parseLines(found.file, content)) {
    // `bd export` can add its memories (key/value notes) to the same file; they are not issues.
    if (record._type === 'memory') {
      memories++;
      continue;
    }
    const id = text(record.id);
    if (!id) {
      warnings.push(`${found.file}:${line}: an issue without an id; skipped`);
      continue;
    }
    if (records.has(id)) {
      warnings.push(`${found.file}:${line}: ${id} appears again; the later line is skipped`);
      continue;
    }
    records.set(id, record);
    const item = toItem(record, id, warnings);
    if (item) items.push(item);
  }
  if (memories) warnings.push(`${memories} beads memory record(s) are not issues; skipped`);
  link(items, records, warnings);
  return { system: 'beads', label: `beads issues ${found.file}`, items, warnings };
}

export const beadsImporter: Importer = {
  system: 'beads',
  describes: 'beads issues (.beads/issues.jsonl)',
  detect,
  read,
};
