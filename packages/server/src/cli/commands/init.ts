import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { findProjectBacklog, PROJECT_FOLDER } from '../../runtime/node/backlog-location.js';
import type { Config } from '../../runtime/node/config.js';
import { enclosingBacklogFolder, findGitTopLevel } from '../../runtime/node/project-root.js';
import { EXIT } from '../daemon.js';
import { closest } from '../suggest.js';

/** The .gitignore inside .backlog/: a clone's own state is rebuilt from the files or is its own, never shared. */
export const BACKLOG_GITIGNORE = `# This clone's own state (activity journal, ID high-water mark, caches): never shared through git.
.state/
`;
const IGNORES_STATE = /^\/?\.state\/?(\*\*?)?$/;

class InitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

function kindOf(path: string): 'missing' | 'folder' | 'file' {
  const info = statSync(path, { throwIfNoEntry: false });
  return info === undefined ? 'missing' : info.isDirectory() ? 'folder' : 'file';
}

/** `backlog-mcp init [DIR]`: the folder named (default: here), checked. */
function parseDir(argv: string[]): string {
  let positionals: string[];
  try {
    positionals = parseArgs({ args: argv, options: {}, allowPositionals: true, strict: true }).positionals;
  } catch (error) {
    const typed = /Unknown option '([^']+)'/.exec(String(error))?.[1];
    const guess = typed ? closest(typed, ['--help']) : undefined;
    const hint = guess ? `Did you mean ${guess}?` : 'Run "backlog-mcp init --help" for the usage.';
    throw new InitError(`${typed ? `Unknown option ${typed}` : String(error)}. ${hint}`, EXIT.usage);
  }
  if (positionals.length > 1) throw new InitError(`Expected one DIR, got ${positionals.length}.`, EXIT.usage);
  const dir = resolve(positionals[0] ?? process.cwd());
  const kind = kindOf(dir);
  if (kind === 'missing') throw new InitError(`${dir} does not exist.`, EXIT.usage);
  if (kind === 'file') throw new InitError(`${dir} is not a folder.`, EXIT.usage);
  const inside = enclosingBacklogFolder(dir);
  if (inside) {
    throw new InitError(
      `${dir} is inside the backlog folder ${inside}; a backlog is never made inside another. ` +
        `Run init in the project instead (${dirname(inside)}).`,
      EXIT.usage,
    );
  }
  return dir;
}

/** Where the backlog goes: the git top level holding DIR, else DIR itself. */
function targetFor(dir: string): { target: string; root: string; git: boolean } {
  const top = findGitTopLevel(dir);
  const root = top ?? dir;
  const target = join(root, PROJECT_FOLDER);
  if (target === join(homedir(), PROJECT_FOLDER)) {
    throw new InitError(
      `${target} is the global backlog (${top ? 'your home folder is the top of a git repository' : 'this is your home folder'}). ` +
        'Run init in a project folder, or git init the project first so its top level is found.',
      EXIT.usage,
    );
  }
  return { target, root, git: top !== undefined };
}

/** Makes what is missing; returns one line per thing made. */
function createMissing(target: string): string[] {
  const made: string[] = [];
  for (const dir of [target, join(target, 'tasks'), join(target, 'resources')]) {
    const kind = kindOf(dir);
    if (kind === 'file') throw new InitError(`${dir} exists and is not a folder.`, EXIT.toolError);
    if (kind === 'missing') {
      mkdirSync(dir);
      made.push(`Created ${dir}${sep}`);
    }
  }
  const ignore = join(target, '.gitignore');
  const kind = kindOf(ignore);
  if (kind === 'missing') {
    writeFileSync(ignore, BACKLOG_GITIGNORE, { flag: 'wx' });
    made.push(`Created ${ignore} (keeps .state/ out of git)`);
  } else if (kind === 'folder') {
    throw new InitError(`${ignore} is a folder, not a .gitignore file.`, EXIT.toolError);
  } else {
    const text = readFileSync(ignore, 'utf8');
    if (!text.split(/\r?\n/).some((line) => IGNORES_STATE.test(line.trim()))) {
      appendFileSync(ignore, `${text === '' || text.endsWith('\n') ? '' : '\n'}${BACKLOG_GITIGNORE}`);
      made.push(`Added .state/ to ${ignore}`);
    }
  }
  return made;
}

/**
 * `backlog-mcp init [DIR]`: makes the project backlog `.backlog/` (tasks/, resources/ and a
 * .gitignore for .state/) at the git top level holding DIR, or in DIR outside git. Run again, it
 * changes nothing, or only adds what went missing.
 */
export async function runInit(argv: string[], config: Config): Promise<number> {
  try {
    const dir = parseDir(argv);
    const { target, root, git } = targetFor(dir);
    const existed = kindOf(target) === 'folder';
    const made = createMissing(target);
    const out: string[] = [];
    if (existed) out.push(`already initialised: ${target}`);
    out.push(...made);
    if (made.length > 0) {
      const where = relative(process.cwd(), target) || PROJECT_FOLDER;
      const use = existed ? '' : `Agents started in ${root} (or below) from now on use this backlog. `;
      out.push(git ? `${use}Next: git add ${where} && git commit` : use.trimEnd());
    }
    for (const note of notes(dir, root, target, config)) out.push(`note: ${note}`);
    process.stdout.write(`${out.filter(Boolean).join('\n')}\n`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof InitError)) throw error;
    process.stderr.write(`backlog-mcp init: ${error.message}\n`);
    return error.exitCode;
  }
}

/** What would keep agents here from using the new backlog. */
function notes(dir: string, root: string, target: string, config: Config): string[] {
  const said: string[] = [];
  const nearer = findProjectBacklog(dir);
  if (nearer && nearer !== target && nearer.startsWith(root + sep)) {
    said.push(`${nearer} is nearer to ${dir}: agents started there use it, not ${target}`);
  }
  if (config.backlogSource === 'env') {
    said.push(`BACKLOG_DATA_DIR is set (${config.dataDir}): processes that have it use that folder, not ${target}`);
  }
  return said;
}
