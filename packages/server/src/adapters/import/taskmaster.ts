import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { FRONT_MATTER_KEYS, type Priority, type Status } from '@backlog-mcp/shared';
import { type ImportBatch, type ImportedItem, SourceError } from '../../core/import/imported-item.js';
import type { Importer } from './importer.js';

/**
 * Task Master (npm `task-master-ai`): `.taskmaster/tasks/tasks.json`, either tagged
 * (`{ "<tag>": { "tasks": [...], "metadata": {...} } }`, current versions) or legacy
 * (`{ "tasks": [...] }`, read as the tag `master`). Source IDs are `<tag>/<id>` for tasks and
 * `<tag>/<id>.<subid>` for subtasks, since task numbers restart in every tag; a tag other than
 * `master` becomes a folder (source ID `<tag>`) holding its tasks.
 */

type TmId = number | string;

interface TmSubtask {
  id: TmId;
  title: string;
  description?: string;
  details?: string;
  testStrategy?: string;
  status?: string;
  priority?: string;
  dependencies?: TmId[];
  updatedAt?: string;
  /** Fields this importer does not map (complexity, metadata...), kept in `extra`. */
  other: Record<string, unknown>;
}

interface TmTask extends TmSubtask {
  subtasks?: TmSubtask[];
}

interface TmTag {
  name: string;
  tasks: TmTask[];
  description?: string;
}

const MASTER = 'master';

const STATUS: Readonly<Record<string, { status: Status; label?: string }>> = {
  pending: { status: 'open' },
  'in-progress': { status: 'in_progress' },
  review: { status: 'in_progress', label: 'review' },
  done: { status: 'done' },
  deferred: { status: 'open', label: 'deferred' },
  cancelled: { status: 'cancelled' },
  blocked: { status: 'blocked' },
};

const PRIORITIES: readonly string[] = ['high', 'medium', 'low'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTaskList(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.every((task) => isRecord(task) && 'id' in task && 'title' in task);
}

/** The tags of a parsed tasks.json, or undefined when it is not Task Master's shape. */
function tagsOf(json: unknown): { name: string; tasks: unknown[]; description?: string }[] | undefined {
  if (!isRecord(json)) return undefined;
  if (isTaskList(json.tasks)) return [{ name: MASTER, tasks: json.tasks }];
  const tags = Object.entries(json).flatMap(([name, value]) => {
    if (!isRecord(value) || !isTaskList(value.tasks)) return [];
    const meta = isRecord(value.metadata) ? value.metadata : {};
    const description = typeof meta.description === 'string' ? meta.description : undefined;
    return [description ? { name, tasks: value.tasks, description } : { name, tasks: value.tasks }];
  });
  return tags.length > 0 ? tags : undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function parsesAsTaskMaster(file: string): Promise<boolean> {
  try {
    return tagsOf(JSON.parse(await readFile(file, 'utf8'))) !== undefined;
  } catch {
    return false;
  }
}

/**
 * The tasks.json to read at `path`. `.taskmaster/tasks/tasks.json` is Task Master's own place,
 * so it counts even when it no longer parses (reading it then reports where); the legacy
 * `tasks/tasks.json` and a bare file must have Task Master's shape, as other tools use that name.
 */
async function tasksFile(path: string): Promise<string | undefined> {
  const root = resolve(path);
  if (await isFile(root)) return (await parsesAsTaskMaster(root)) ? root : undefined;
  const own = basename(root) === '.taskmaster' ? join(root, 'tasks', 'tasks.json') : undefined;
  for (const candidate of [own, join(root, '.taskmaster', 'tasks', 'tasks.json')]) {
    if (candidate && (await isFile(candidate))) return candidate;
  }
  const legacy = join(root, 'tasks', 'tasks.json');
  return (await isFile(legacy)) && (await parsesAsTaskMaster(legacy)) ? legacy : undefined;
}

/** 1-based line of a JSON.parse failure, from the position (or line) its message names. */
function errorLine(text: string, message: string): number | undefined {
  const line = /line (\d+)/.exec(message);
  if (line) return Number(line[1]);
  const position = /position (\d+)/.exec(message);
  if (!position) return undefined;
  return text.slice(0, Number(position[1])).split('\n').length;
}

function optionalText(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

/** Keys read into fields of ours, and Task Master's own bookkeeping (a subtask's back-links). */
const MAPPED = new Set([
  'id',
  'title',
  'description',
  'details',
  'testStrategy',
  'status',
  'priority',
  'dependencies',
  'updatedAt',
  'subtasks',
  'parentTaskId',
  'parentId',
]);

/** Front-matter keys of ours an unmapped field must not take over; such a field is prefixed. */
const RESERVED = new Set<string>([...FRONT_MATTER_KEYS, 'description', 'source', 'tag']);

function otherFields(raw: Record<string, unknown>): Record<string, unknown> {
  const other: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!MAPPED.has(key) && value !== undefined) other[RESERVED.has(key) ? `taskmaster_${key}` : key] = value;
  }
  return other;
}

function toSubtask(file: string, where: string, raw: unknown): TmSubtask {
  if (!isRecord(raw)) throw new SourceError(file, `${where} is not an object`);
  const id = raw.id;
  if (typeof id !== 'number' && typeof id !== 'string') throw new SourceError(file, `${where} has no id`);
  if (typeof raw.title !== 'string' || !raw.title.trim()) throw new SourceError(file, `${where} (${id}) has no title`);
  const task: TmSubtask = { id, title: raw.title, other: otherFields(raw) };
  for (const key of ['description', 'details', 'testStrategy', 'status', 'priority', 'updatedAt'] as const) {
    const value = optionalText(raw, key);
    if (value !== undefined) task[key] = value;
  }
  if (Array.isArray(raw.dependencies)) {
    task.dependencies = raw.dependencies.filter(
      (dep): dep is TmId => typeof dep === 'number' || typeof dep === 'string',
    );
  }
  return task;
}

function parseTags(file: string, text: string): TmTag[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new SourceError(file, `invalid JSON: ${message}`, errorLine(text, message));
  }
  const tags = tagsOf(json);
  if (!tags) throw new SourceError(file, 'not a Task Master tasks.json (no "tasks" list, at the top or under a tag)');
  return tags.map((tag) => ({
    ...tag,
    tasks: tag.tasks.map((raw, index) => {
      const task: TmTask = toSubtask(file, `tag ${tag.name}, task #${index + 1}`, raw);
      const subtasks = isRecord(raw) && Array.isArray(raw.subtasks) ? raw.subtasks : [];
      task.subtasks = subtasks.map((sub, subIndex) =>
        toSubtask(file, `tag ${tag.name}, task ${task.id}, subtask #${subIndex + 1}`, sub),
      );
      return task;
    }),
  }));
}

function body(task: TmSubtask): string {
  const parts = [task.description?.trim() ?? ''];
  if (task.details?.trim()) parts.push(`## Details\n\n${task.details.trim()}`);
  if (task.testStrategy?.trim()) parts.push(`## Test strategy\n\n${task.testStrategy.trim()}`);
  return `${parts.filter(Boolean).join('\n\n')}\n`;
}

/**
 * A dependency as a source ID. In a subtask, a number is a sibling subtask when one has that
 * number (Task Master's own reading); "X.Y" is subtask Y of task X; anything else is a task.
 */
function dependencyId(tag: string, dep: TmId, parent?: TmTask): string {
  const text = String(dep).trim();
  if (parent && typeof dep === 'number' && parent.subtasks?.some((sub) => String(sub.id) === text)) {
    return `${tag}/${parent.id}.${text}`;
  }
  return `${tag}/${text}`;
}

interface Context {
  tag: TmTag;
  warnings: string[];
}

function toItem(ctx: Context, task: TmSubtask, sourceId: string, parentTask?: TmTask): ImportedItem {
  const mapped = STATUS[task.status ?? 'pending'];
  const item: ImportedItem = {
    source: { system: 'taskmaster', id: sourceId },
    type: 'task',
    title: task.title.trim(),
    status: mapped?.status ?? 'open',
    description: body(task),
    extra: {
      ...task.other,
      tag: ctx.tag.name,
      taskmaster_id: parentTask ? `${parentTask.id}.${task.id}` : String(task.id),
    },
  };
  const extra = item.extra as Record<string, unknown>;
  if (!mapped) {
    ctx.warnings.push(`${sourceId}: status ${task.status} is imported as open (kept as status_original)`);
    extra.status_original = task.status;
  }
  if (mapped?.label) item.labels = [mapped.label];
  if (task.priority && PRIORITIES.includes(task.priority)) item.priority = task.priority as Priority;
  else if (task.priority) {
    ctx.warnings.push(`${sourceId}: priority ${task.priority} is not high, medium or low; left out`);
    extra.priority_original = task.priority;
  }
  // Task Master stamps `updatedAt` but never a creation time: kept as a fact, not as our dates.
  if (task.updatedAt) extra.taskmaster_updated_at = task.updatedAt;
  if (parentTask) item.parent = `${ctx.tag.name}/${parentTask.id}`;
  else if (ctx.tag.name !== MASTER) item.parent = ctx.tag.name;
  const deps = (task.dependencies ?? []).map((dep) => dependencyId(ctx.tag.name, dep, parentTask));
  if (deps.length) item.blocked_by = [...new Set(deps)];
  return item;
}

function tagFolder(tag: TmTag): ImportedItem {
  return {
    source: { system: 'taskmaster', id: tag.name },
    type: 'folder',
    title: tag.name,
    status: 'open',
    description: tag.description ? `${tag.description}\n` : '',
    extra: { tag: tag.name },
  };
}

/** Drops dependencies on IDs the file does not have, with a warning each, so the plan never dangles. */
function dropUnknownDependencies(items: ImportedItem[], warnings: string[]): void {
  const known = new Set(items.map((item) => item.source.id));
  for (const item of items) {
    if (!item.blocked_by) continue;
    const kept = item.blocked_by.filter((id) => id !== item.source.id && known.has(id));
    for (const id of item.blocked_by) {
      if (!kept.includes(id)) warnings.push(`${item.source.id}: dependency ${id} is not in the file; dropped`);
    }
    if (kept.length) item.blocked_by = kept;
    else delete item.blocked_by;
  }
}

async function read(path: string): Promise<ImportBatch> {
  const file = await tasksFile(path);
  if (!file) throw new SourceError(resolve(path), 'no Task Master tasks.json here (.taskmaster/tasks/tasks.json)');
  const tags = parseTags(file, await readFile(file, 'utf8'));
  const items: ImportedItem[] = [];
  const warnings: string[] = [];
  for (const tag of tags) {
    const ctx: Context = { tag, warnings };
    if (tag.name !== MASTER) items.push(tagFolder(tag));
    for (const task of tag.tasks) {
      items.push(toItem(ctx, task, `${tag.name}/${task.id}`));
      for (const sub of task.subtasks ?? []) {
        items.push(toItem(ctx, sub, `${tag.name}/${task.id}.${sub.id}`, task));
      }
    }
  }
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.source.id)) throw new SourceError(file, `${item.source.id} appears twice`);
    seen.add(item.source.id);
  }
  dropUnknownDependencies(items, warnings);
  return { system: 'taskmaster', label: `Task Master ${file}`, items, warnings };
}

export const taskmasterImporter: Importer = {
  system: 'taskmaster',
  describes: 'Task Master (.taskmaster/tasks/tasks.json)',
  detect: async (path) => (await tasksFile(path)) !== undefined,
  read,
};
