import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';

/** Where a file sits in a Backlog.md folder decides what it becomes. */
export type FileKind =
  | 'task'
  | 'draft'
  | 'completed'
  | 'archived-task'
  | 'archived-draft'
  | 'doc'
  | 'decision'
  | 'milestone'
  | 'archived-milestone';

/** Active folders first: when one ID sits in two folders, the first one read wins. */
const FOLDERS: ReadonlyArray<{ dir: string; kind: FileKind; recursive?: boolean }> = [
  { dir: 'milestones', kind: 'milestone' },
  { dir: 'tasks', kind: 'task' },
  { dir: 'drafts', kind: 'draft' },
  { dir: 'completed', kind: 'completed' },
  { dir: 'archive/milestones', kind: 'archived-milestone' },
  { dir: 'archive/tasks', kind: 'archived-task' },
  { dir: 'archive/drafts', kind: 'archived-draft' },
  // Docs may sit in sub-folders (`backlog doc create --path`).
  { dir: 'docs', kind: 'doc', recursive: true },
  { dir: 'decisions', kind: 'decision' },
];

export interface SourceFile {
  kind: FileKind;
  /** Absolute path, for errors. */
  path: string;
  /** Path inside the backlog folder, for warnings. */
  name: string;
  text: string;
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

/** A Backlog.md task file name: "task-12 - Some-title.md" (any task prefix, dotted subtask IDs). */
const TASK_FILE = /^[a-z]+-\d+(?:\.\d+)* - .*\.md$/i;
/** Keys only Backlog.md's config.yml has together; a bare "config.yml" could be anyone's. */
const CONFIG_KEY = /^(?:project_name|default_status|statuses|task_prefix)\s*:/m;

/** A Backlog.md folder, and the config file that describes it when there is one. */
export interface BacklogFolder {
  root: string;
  config?: string;
}

/** The folder's own config file: `config.yml` (what `backlog init` writes) or `config.yaml`. */
async function folderConfig(dir: string): Promise<string | undefined> {
  for (const name of ['config.yml', 'config.yaml']) {
    const text = await readText(join(dir, name));
    if (text !== undefined && CONFIG_KEY.test(text)) return join(dir, name);
  }
  return undefined;
}

/** True when `dir` is a Backlog.md folder: its config file, or task files named the Backlog.md way. */
async function asBacklogFolder(dir: string): Promise<BacklogFolder | undefined> {
  const config = await folderConfig(dir);
  if (config) return { root: dir, config };
  if (!(await isDir(join(dir, 'tasks')))) return undefined;
  const names = await readdir(join(dir, 'tasks')).catch(() => [] as string[]);
  return names.some((name) => TASK_FILE.test(name)) ? { root: dir } : undefined;
}

/**
 * `backlog init --config-location root` writes `backlog.config.yml` at the project's root, naming
 * the folder in `backlog_directory` (any project-relative path, `backlog` when absent).
 */
async function fromRootConfig(project: string): Promise<BacklogFolder | undefined> {
  const config = join(project, 'backlog.config.yml');
  const text = await readText(config);
  if (text === undefined || !CONFIG_KEY.test(text)) return undefined;
  const dir = /^backlog_directory\s*:\s*["']?([^"'\n#]+?)["']?\s*(?:#.*)?$/m.exec(text)?.[1] ?? 'backlog';
  const root = resolve(project, dir);
  return (await isDir(root)) ? { root, config } : undefined;
}

/** The Backlog.md folder at `path`: the folder itself, or a project's (root config, `backlog/`, `.backlog/`). */
export async function findBacklogFolder(path: string): Promise<BacklogFolder | undefined> {
  if (!(await isDir(path))) return undefined;
  const own = await asBacklogFolder(path);
  if (own) return own;
  const rooted = await fromRootConfig(path);
  if (rooted) return rooted;
  for (const sub of ['backlog', '.backlog']) {
    const found = await asBacklogFolder(join(path, sub));
    if (found) return found;
  }
  return undefined;
}

async function listMarkdown(dir: string, recursive: boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && recursive) out.push(...(await listMarkdown(path, true)));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.md')) out.push(path);
  }
  return out.sort();
}

/** Every Markdown file of the folders Backlog.md uses, in FOLDERS order then by name. */
export async function readSourceFiles(root: string): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for (const folder of FOLDERS) {
    for (const path of await listMarkdown(join(root, folder.dir), folder.recursive ?? false)) {
      // A folder's own README (some projects add one) is not an item.
      if (basename(path).toLowerCase() === 'readme.md') continue;
      files.push({ kind: folder.kind, path, name: relative(root, path), text: await readFile(path, 'utf8') });
    }
  }
  return files;
}

export async function readConfig(folder: BacklogFolder): Promise<{ path: string; text: string } | undefined> {
  if (!folder.config) return undefined;
  const text = await readText(folder.config);
  return text === undefined ? undefined : { path: folder.config, text };
}
