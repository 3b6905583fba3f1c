import { basename, posix, sep } from 'node:path';
import type { Priority, Reference, Status } from '@backlog-mcp/shared';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { type ImportBatch, type ImportedItem, SourceError } from '../../core/import/imported-item.js';
import {
  bodyToDescription,
  cleanLabels,
  mapDecisionStatus,
  mapStatus,
  naturalCompare,
  type ParsedFile,
  parseFrontMatter,
  stringField,
  stringList,
  TITLE_MAX,
  toIsoDate,
} from './backlog-md-body.js';
import {
  type BacklogFolder,
  type FileKind,
  findBacklogFolder,
  readConfig,
  readSourceFiles,
  type SourceFile,
} from './backlog-md-files.js';
import type { Importer } from './importer.js';

/**
 * Backlog.md (github.com/MrLesk/Backlog.md, format of CLI 1.52) → our items: tasks and drafts are
 * tasks, docs and decisions artifacts, milestones milestones. Our milestones hold items through
 * parent_id, so a task's milestone becomes its parent unless it already has a parent task.
 * The full table is in test/fixtures/import/backlog-md/README.md.
 */

/** Front matter keys that have a field of their own here; all others are kept in `extra`. */
const MAPPED_KEYS = new Set([
  'id',
  'title',
  'status',
  'assignee',
  'created_date',
  'updated_date',
  'date',
  'labels',
  'tags',
  'milestone',
  'dependencies',
  'parent_task_id',
  'parent',
  'priority',
  'due_date',
  'references',
]);

const PRIORITIES: readonly string[] = ['high', 'medium', 'low'];

/** What reading one file needs beyond the file: the shared warnings and custom status tally. */
interface Context {
  warnings: string[];
  /** Custom status name → what it became and how many items had it. */
  customStatuses: Map<string, { status: Status; count: number }>;
  /** The milestone named in a task's front matter, resolved once all are read. */
  milestones: Map<ImportedItem, string>;
}

function sourceId(file: SourceFile, data: Record<string, unknown>): string {
  const id = stringField(data.id) ?? /^([a-z]+-\d+(?:\.\d+)*)/i.exec(basename(file.path))?.[1];
  if (!id) throw new SourceError(file.path, 'no id in the front matter or the file name', 1);
  return id.toLowerCase();
}

function title(id: string, data: Record<string, unknown>, file: SourceFile, warnings: string[]): string {
  const raw =
    stringField(data.title) ??
    basename(file.path, '.md')
      .replace(/^[^ ]+ - /, '')
      .replace(/-/g, ' ');
  if (raw.length <= TITLE_MAX) return raw;
  warnings.push(`${id}: title longer than ${TITLE_MAX} characters; truncated`);
  return raw.slice(0, TITLE_MAX);
}

/** The status of a task-like file: its folder says as much as its status field. */
function taskStatus(kind: FileKind, original: string | undefined, ctx: Context): Status {
  if (kind === 'draft') return 'open';
  if (kind === 'archived-draft') return 'cancelled';
  const mapped = original ? mapStatus(original) : { status: 'open' as Status, custom: false };
  if (mapped.custom && original) {
    const seen = ctx.customStatuses.get(original) ?? { status: mapped.status, count: 0 };
    seen.count++;
    ctx.customStatuses.set(original, seen);
  }
  // `completed/` only ever holds finished tasks (`backlog task complete` refuses others).
  if (kind === 'completed') return mapped.status === 'cancelled' ? 'cancelled' : 'done';
  // Archiving takes a task off the board without finishing it, unless it was done already.
  if (kind === 'archived-task') return mapped.status === 'done' ? 'done' : 'cancelled';
  return mapped.status;
}

/** Fields every kind shares: source, title, dates, labels, and the leftover keys in `extra`. */
function baseItem(file: SourceFile, parsed: ParsedFile, ctx: Context): ImportedItem {
  const { data, body } = parsed;
  const id = sourceId(file, data);
  const item: ImportedItem = {
    source: { system: 'backlog.md', id },
    type: 'task',
    title: title(id, data, file, ctx.warnings),
    status: 'open',
    description: bodyToDescription(body),
  };
  const created = toIsoDate(data.created_date ?? data.date);
  if (created) item.created_at = created;
  const updated = toIsoDate(data.updated_date);
  if (updated) item.updated_at = updated;
  const labels = cleanLabels(id, [...stringList(data.labels), ...stringList(data.tags)], ctx.warnings);
  if (labels.length) item.labels = labels;
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!MAPPED_KEYS.has(key) && key !== 'source' && value !== null && value !== undefined) extra[key] = value;
  }
  if (Object.keys(extra).length) item.extra = extra;
  // Milestones have due dates too (`backlog milestone add --due-date`).
  const due = stringField(data.due_date);
  if (due && /^\d{4}-\d{2}-\d{2}$/.test(due)) item.due_date = due;
  else if (due) setExtra(item, 'due_date', due);
  splitReferences(item, data);
  return item;
}

function setExtra(item: ImportedItem, key: string, value: unknown): void {
  item.extra = { ...item.extra, [key]: value };
}

/** Backlog.md references are URLs or project file paths; only URLs fit our `references`. */
function splitReferences(item: ImportedItem, data: Record<string, unknown>): void {
  const refs = stringList(data.references);
  const urls: Reference[] = refs.filter((r) => /^https?:\/\//i.test(r)).map((url) => ({ url }));
  const paths = refs.filter((r) => !/^https?:\/\//i.test(r));
  if (urls.length) item.references = urls;
  if (paths.length) setExtra(item, 'references', paths);
}

function taskItem(file: SourceFile, parsed: ParsedFile, ctx: Context): ImportedItem {
  const { data } = parsed;
  const item = baseItem(file, parsed, ctx);
  const id = item.source.id;
  const original = stringField(data.status);
  item.status = taskStatus(file.kind, original, ctx);
  const isDraft = file.kind === 'draft' || file.kind === 'archived-draft';
  // Kept whenever the status alone would not say what the source said (a custom one, or a folder that overrode it).
  const mapped = original ? mapStatus(original) : undefined;
  const telling = mapped && (mapped.custom || mapped.status !== item.status);
  if (original && telling && !(isDraft && original.toLowerCase() === 'draft'))
    setExtra(item, 'status_original', original);
  // Labels are clean already; cleaning them again would repeat their warnings.
  if (isDraft) item.labels = ['draft', ...(item.labels ?? []).filter((l) => l !== 'draft')].slice(0, 20);
  if (file.kind.startsWith('archived')) setExtra(item, 'archived', true);
  const priority = stringField(data.priority)?.toLowerCase();
  if (priority && PRIORITIES.includes(priority)) item.priority = priority as Priority;
  else if (priority) ctx.warnings.push(`${id}: priority "${priority}" is not high, medium or low; left out`);
  const assignees = stringList(data.assignee);
  if (assignees.length) setExtra(item, 'assignees', assignees);
  const deps = stringList(data.dependencies).map((d) => d.toLowerCase());
  if (deps.length) item.blocked_by = deps;
  const parent = stringField(data.parent_task_id ?? data.parent)?.toLowerCase();
  if (parent) item.parent = parent;
  const milestone = stringField(data.milestone);
  if (milestone) ctx.milestones.set(item, milestone);
  return item;
}

function toItem(file: SourceFile, parsed: ParsedFile, ctx: Context): ImportedItem {
  if (file.kind === 'doc' || file.kind === 'decision') {
    const item = baseItem(file, parsed, ctx);
    item.type = 'artifact';
    const decisionStatus = stringField(parsed.data.status);
    if (file.kind === 'decision') {
      item.status = mapDecisionStatus(decisionStatus ?? '');
      setExtra(item, 'kind', 'decision');
      if (decisionStatus) setExtra(item, 'decision_status', decisionStatus);
    } else if (decisionStatus) {
      setExtra(item, 'status_original', decisionStatus);
    }
    return item;
  }
  if (file.kind === 'milestone' || file.kind === 'archived-milestone') {
    const item = baseItem(file, parsed, ctx);
    item.type = 'milestone';
    // An archived milestone is one the team put away, most often because it shipped.
    item.status = file.kind === 'archived-milestone' ? 'done' : 'open';
    if (file.kind === 'archived-milestone') setExtra(item, 'archived', true);
    return item;
  }
  return taskItem(file, parsed, ctx);
}

/**
 * Links are checked once every file is read: a milestone named by ID or title becomes the parent
 * (or `extra.milestone` when the task has a parent task); links to IDs not in the batch are dropped.
 */
function resolveLinks(items: ImportedItem[], ctx: Context): void {
  const byId = new Map(items.map((item) => [item.source.id, item]));
  const milestoneIds = new Map<string, string>();
  for (const item of items) {
    if (item.type !== 'milestone') continue;
    milestoneIds.set(item.source.id, item.source.id);
    milestoneIds.set(item.title.trim().toLowerCase(), item.source.id);
  }
  for (const item of items) {
    const id = item.source.id;
    if (item.parent && !byId.has(item.parent)) {
      ctx.warnings.push(`${id}: parent task ${item.parent} is not in the folder; dropped`);
      setExtra(item, 'parent_original', item.parent);
      delete item.parent;
    }
    const milestone = ctx.milestones.get(item);
    const milestoneId = milestone ? milestoneIds.get(milestone.trim().toLowerCase()) : undefined;
    if (milestone && !milestoneId) {
      ctx.warnings.push(`${id}: milestone "${milestone}" has no milestone file; kept in extra.milestone`);
    }
    if (milestoneId && !item.parent) item.parent = milestoneId;
    else if (milestone) setExtra(item, 'milestone', milestoneId ?? milestone);
    if (!item.blocked_by) continue;
    const missing = item.blocked_by.filter((dep) => !byId.has(dep) || dep === id);
    if (missing.length) ctx.warnings.push(`${id}: dependencies not in the folder dropped: ${missing.join(', ')}`);
    item.blocked_by = [...new Set(item.blocked_by.filter((dep) => byId.has(dep) && dep !== id))];
    if (!item.blocked_by.length) delete item.blocked_by;
  }
}

function statusWarning(ctx: Context): string | undefined {
  if (!ctx.customStatuses.size) return undefined;
  const list = [...ctx.customStatuses]
    .sort(([a], [b]) => naturalCompare(a, b))
    .map(([name, { status, count }]) => `"${name}" → ${status} (${count} ${count === 1 ? 'item' : 'items'})`);
  return `custom Backlog.md statuses mapped by name (originals kept in extra.status_original): ${list.join(', ')}`;
}

/** The config must parse even though only the project name is used: a broken one is worth knowing. */
async function projectName(folder: BacklogFolder): Promise<string | undefined> {
  const config = await readConfig(folder);
  if (!config) return undefined;
  try {
    const data: unknown = parseYaml(config.text);
    return data && typeof data === 'object' ? stringField((data as Record<string, unknown>).project_name) : undefined;
  } catch (error) {
    const line = error instanceof YAMLParseError ? error.linePos?.[0]?.line : undefined;
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
    throw new SourceError(config.path, `not valid YAML: ${message}`, line);
  }
}

async function read(path: string): Promise<ImportBatch> {
  const folder = await findBacklogFolder(path);
  if (!folder) throw new SourceError(path, 'not a Backlog.md folder (no backlog/config.yml or backlog/tasks/)');
  const { root } = folder;
  const name = await projectName(folder);
  const ctx: Context = { warnings: [], customStatuses: new Map(), milestones: new Map() };
  const items: ImportedItem[] = [];
  const seen = new Map<string, string>();
  for (const file of await readSourceFiles(root)) {
    const item = toItem(file, parseFrontMatter(file.path, file.text), ctx);
    const first = seen.get(item.source.id);
    if (first) {
      // Backlog.md hands an archived task's ID out again, so both are real items; the one read
      // later (archive after active) is named by its folder too, which stays stable across imports.
      const id = `${posix.dirname(file.name.split(sep).join('/'))}/${item.source.id}`;
      ctx.warnings.push(`${item.source.id}: also the ID of ${file.name}, imported as ${id} (the first is in ${first})`);
      item.source.id = id;
    }
    seen.set(item.source.id, file.name);
    items.push(item);
  }
  resolveLinks(items, ctx);
  items.sort((a, b) => naturalCompare(a.source.id, b.source.id));
  const statuses = statusWarning(ctx);
  return {
    system: 'backlog.md',
    label: `Backlog.md folder ${root}${name ? ` (${name})` : ''}`,
    items,
    warnings: statuses ? [statuses, ...ctx.warnings] : ctx.warnings,
  };
}

export const backlogMdImporter: Importer = {
  system: 'backlog.md',
  describes: 'Backlog.md folder (backlog/)',
  detect: async (path) => (await findBacklogFolder(path)) !== undefined,
  read,
};
