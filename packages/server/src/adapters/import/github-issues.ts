import { open, readFile, stat } from 'node:fs/promises';
import type { Status } from '@backlog-mcp/shared';
import { type ImportBatch, type ImportedItem, SourceError } from '../../core/import/imported-item.js';
import { importLabels, importTitle, isoDay, isoTime, isRecord, lineAt, markdownBody, text } from './import-text.js';
import type { Importer } from './importer.js';

/**
 * GitHub issues as `gh issue list --state all --json number,title,body,state,labels,milestone,url,
 * createdAt,closedAt,assignees[,stateReason,updatedAt]` prints them: a JSON array of objects whose
 * keys are the requested field names (cli/cli api/export_pr.go, Issue.ExportData; shapes in
 * api/queries_issue.go and api/queries_repo.go). Mapping:
 *
 * - every issue → task; state OPEN → open, CLOSED → done, or cancelled when stateReason is NOT_PLANNED.
 * - labels[].name → labels (lower-cased); assignees[].login → extra.assignees (not our `assignee`,
 *   which is an agent's leased claim).
 * - milestone → one milestone item per distinct milestone (source id `milestone:<number>`, or
 *   `milestone:<title>` without a number), due_date from dueOn, description from its description;
 *   the issue's parent is that milestone. The export says nothing of a milestone's own state, so
 *   it is done when every issue in it is done or cancelled, else open (a guess; the plan shows it).
 * - url → source.url and references [{url, title: "GitHub #N"}].
 * - createdAt → created_at; updated_at from updatedAt, else closedAt, else createdAt.
 * - "blocked by #12" / "depends on #12" (case-insensitive, one number right after the phrase) in a
 *   body → blocked_by "#12", only when #12 is in the same batch and is not the issue itself.
 */

const BLOCKER_PHRASE = /\b(?:blocked\s+by|depends\s+on)\s*:?\s+#(\d+)\b/gi;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The start of the file only: an array's first element is enough to tell, and exports can be large. */
async function head(path: string, bytes: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    await handle.close();
  }
}

function looksLikeIssue(value: unknown): boolean {
  return (
    isRecord(value) &&
    'number' in value &&
    'title' in value &&
    'state' in value &&
    typeof value.url === 'string' &&
    value.url.includes('/issues/')
  );
}

/** The text of the array's first object, found by matching braces outside strings; undefined when cut off. */
function firstElement(start: string): string | undefined {
  const begin = /^\s*\[\s*\{/.exec(start);
  if (!begin) return undefined;
  const from = begin[0].length - 1;
  let depth = 0;
  let inString = false;
  for (let i = from; i < start.length; i++) {
    const c = start[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) return start.slice(from, i + 1);
  }
  return undefined;
}

async function detect(path: string): Promise<boolean> {
  if (!path.toLowerCase().endsWith('.json') || !(await isFile(path))) return false;
  const first = firstElement(await head(path, 256 * 1024));
  if (!first) return false;
  try {
    return looksLikeIssue(JSON.parse(first));
  } catch {
    return false;
  }
}

/** The line JSON.parse failed on: newer Node says "line L column C", Node 20 only "position P". */
function errorLine(content: string, message: string): number | undefined {
  const lineColumn = /line (\d+) column \d+/.exec(message);
  if (lineColumn) return Number(lineColumn[1]);
  const position = /position (\d+)/.exec(message);
  if (position) return lineAt(content, Number(position[1]));
  if (/end of JSON input/i.test(message)) return lineAt(content, content.length);
  return undefined;
}

function parse(file: string, content: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    const message = (error as Error).message;
    throw new SourceError(file, `not JSON (${message})`, errorLine(content, message));
  }
  if (!Array.isArray(parsed)) throw new SourceError(file, 'expected the JSON array `gh issue list --json ...` prints');
  return parsed;
}

function names(raw: unknown, key: 'name' | 'login'): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((entry) => {
    const value = isRecord(entry) ? text(entry[key]) : undefined;
    return value ? [value] : [];
  });
}

function mapStatus(raw: Record<string, unknown>, where: string, warnings: string[]): Status {
  const state = text(raw.state)?.toUpperCase();
  if (state === 'OPEN') return 'open';
  if (state === 'CLOSED') return text(raw.stateReason)?.toUpperCase() === 'NOT_PLANNED' ? 'cancelled' : 'done';
  warnings.push(`${where}: state ${JSON.stringify(raw.state)} is neither OPEN nor CLOSED; imported as open`);
  return 'open';
}

/** The milestone's source id (also the key that makes it one item however many issues name it). */
function milestoneId(raw: Record<string, unknown>): string | undefined {
  if (typeof raw.number === 'number') return `milestone:${raw.number}`;
  const title = text(raw.title);
  return title ? `milestone:${title}` : undefined;
}

function toMilestone(raw: Record<string, unknown>, id: string, warnings: string[]): ImportedItem {
  const item: ImportedItem = {
    source: { system: 'github', id },
    type: 'milestone',
    title: importTitle(raw.title, id, warnings),
    status: 'open',
    description: markdownBody(raw.description, []),
  };
  const due = isoDay(raw.dueOn, id, 'dueOn', warnings);
  if (due) item.due_date = due;
  return item;
}

function toIssue(raw: Record<string, unknown>, id: string, warnings: string[]): ImportedItem {
  const url = text(raw.url);
  const item: ImportedItem = {
    source: url ? { system: 'github', id, url } : { system: 'github', id },
    type: 'task',
    title: importTitle(raw.title, id, warnings),
    status: mapStatus(raw, id, warnings),
    description: markdownBody(raw.body, []),
  };
  const labels = importLabels(names(raw.labels, 'name'), id, warnings);
  if (labels.length) item.labels = labels;
  if (url) item.references = [{ url, title: `GitHub ${id}` }];
  const created = isoTime(raw.createdAt, id, 'createdAt', warnings);
  if (created) item.created_at = created;
  const updated =
    isoTime(raw.updatedAt, id, 'updatedAt', warnings) ?? isoTime(raw.closedAt, id, 'closedAt', warnings) ?? created;
  if (updated) item.updated_at = updated;
  const assignees = names(raw.assignees, 'login');
  if (assignees.length) item.extra = { assignees };
  return item;
}

/** blocked_by from the conservative phrases in a body, for issues of this batch only. */
function blockersIn(body: unknown, self: string, known: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const match of text(body)?.matchAll(BLOCKER_PHRASE) ?? []) {
    const id = `#${match[1]}`;
    if (id !== self && known.has(id)) found.add(id);
  }
  return [...found];
}

function milestoneStatuses(milestones: Map<string, ImportedItem>, issues: ImportedItem[]): void {
  for (const [id, milestone] of milestones) {
    const members = issues.filter((issue) => issue.parent === id);
    if (members.length && members.every((issue) => issue.status === 'done' || issue.status === 'cancelled')) {
      milestone.status = 'done';
    }
  }
}

async function read(path: string): Promise<ImportBatch> {
  const content = await readFile(path, 'utf8');
  const warnings: string[] = [];
  const issues: ImportedItem[] = [];
  const bodies = new Map<string, unknown>();
  const milestones = new Map<string, ImportedItem>();
  parse(path, content).forEach((raw, index) => {
    if (!isRecord(raw) || typeof raw.number !== 'number') {
      warnings.push(`${path}: entry ${index + 1} has no issue number; skipped`);
      return;
    }
    const id = `#${raw.number}`;
    if (bodies.has(id)) {
      warnings.push(`${id} appears twice; the later entry is skipped`);
      return;
    }
    const issue = toIssue(raw, id, warnings);
    const milestoneKey = isRecord(raw.milestone) ? milestoneId(raw.milestone) : undefined;
    if (isRecord(raw.milestone) && milestoneKey) {
      if (!milestones.has(milestoneKey))
        milestones.set(milestoneKey, toMilestone(raw.milestone, milestoneKey, warnings));
      issue.parent = milestoneKey;
    }
    bodies.set(id, raw.body);
    issues.push(issue);
  });
  const known = new Set(bodies.keys());
  for (const issue of issues) {
    const blockers = blockersIn(bodies.get(issue.source.id), issue.source.id, known);
    if (blockers.length) issue.blocked_by = blockers;
  }
  milestoneStatuses(milestones, issues);
  return { system: 'github', label: `GitHub issues ${path}`, items: [...milestones.values(), ...issues], warnings };
}

export const githubIssuesImporter: Importer = {
  system: 'github',
  describes: 'GitHub issues (gh issue list --json ... output, a .json file)',
  detect,
  read,
};
