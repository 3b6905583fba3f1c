import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Item } from '@backlog-mcp/shared';
import { type ImportBatch, type ImportedItem, SourceError } from '../../core/import/imported-item.js';
import { decodeBacklogFile } from './backlog-mcp-front-matter.js';
import { dropDanglingLinks, itemToImported } from './backlog-mcp-item.js';
import type { Importer } from './importer.js';

/**
 * A backlog-mcp folder: the upstream project's flat `tasks/` layout (its 0.4x versions: every
 * item in `tasks/<ID>.md`), its later docs layout (`docs/tasks`, `docs/epics`, `docs/folders`,
 * `docs/artifacts`, `docs/milestones`, `docs/crons`, `docs/memories`, files `<ID>[-slug].md`),
 * and our own data folder (`.backlog/tasks/<ID>.md`), which is the same family.
 */

/** `TASK-0001.md`, and the docs layout's `TASK-0001-some-slug.md`. */
const ID_FILE = /^([A-Z]{4}-\d{4,})(?:-[^/]*)?\.md$/;

/** The docs layout's folder per type; the flat layouts only use `tasks`. */
const TYPE_FOLDERS = ['tasks', 'epics', 'folders', 'artifacts', 'milestones', 'crons', 'memories'] as const;

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function idFiles(folder: string): Promise<string[]> {
  try {
    const names = await readdir(folder);
    return names.filter((name) => ID_FILE.test(name)).sort();
  } catch {
    return [];
  }
}

/** The folders holding item files under `path`, in the order they win when an ID repeats. */
async function itemFolders(path: string): Promise<string[]> {
  const root = resolve(path);
  if (!(await isDirectory(root))) return [];
  const candidates: string[] = [];
  if ((TYPE_FOLDERS as readonly string[]).includes(basename(root))) candidates.push(root);
  for (const base of [root, join(root, '.backlog'), join(root, 'docs')]) {
    for (const folder of TYPE_FOLDERS) candidates.push(join(base, folder));
  }
  const found: string[] = [];
  for (const folder of candidates) {
    if (!found.includes(folder) && (await idFiles(folder)).length > 0) found.push(folder);
  }
  return found;
}

/** Cheap: the first lines of one file show a front matter with `id` and `title`. */
async function looksLikeItemFile(file: string): Promise<boolean> {
  try {
    const head = (await readFile(file, 'utf8')).slice(0, 4096);
    if (!/^---[ \t]*\r?\n/.test(head)) return false;
    return /^id:/m.test(head) && /^title:/m.test(head);
  } catch {
    return false;
  }
}

async function detect(path: string): Promise<boolean> {
  for (const folder of await itemFolders(path)) {
    const files = await idFiles(folder);
    for (const name of files.slice(0, 5)) {
      if (await looksLikeItemFile(join(folder, name))) return true;
    }
  }
  return false;
}

async function read(path: string): Promise<ImportBatch> {
  const folders = await itemFolders(path);
  if (folders.length === 0) {
    throw new SourceError(resolve(path), 'no backlog-mcp item files here (tasks/<ID>.md or docs/<type>/<ID>.md)');
  }
  const warnings: string[] = [];
  const items: ImportedItem[] = [];
  const decodedItems: Item[] = [];
  const seen = new Map<string, string>();
  for (const folder of folders) {
    for (const name of await idFiles(folder)) {
      const file = join(folder, name);
      const fileId = (ID_FILE.exec(name) as RegExpExecArray)[1] as string;
      const earlier = seen.get(fileId);
      if (earlier) {
        warnings.push(`${file}: ${fileId} is also ${earlier}; the first one is imported`);
        continue;
      }
      seen.set(fileId, file);
      const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
      const decoded = decodeBacklogFile(file, text, fileId, info.mtime.toISOString());
      warnings.push(...decoded.warnings);
      decodedItems.push(decoded.item);
      items.push(itemToImported(decoded.item, decoded.sourceId, decoded.preferredId));
    }
  }
  warnings.push(...dropDanglingLinks(items));
  return { system: 'backlog-mcp', label: `backlog-mcp folder ${resolve(path)}`, items, warnings };
}

export const backlogMcpFolderImporter: Importer = {
  system: 'backlog-mcp',
  describes: 'backlog-mcp folder (tasks/*.md, docs/<type>/*.md, .backlog/)',
  detect,
  read,
};
