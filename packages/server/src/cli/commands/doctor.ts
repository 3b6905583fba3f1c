import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { type Examination, examineBacklog, type Finding } from '../../adapters/files/backlog-doctor.js';
import { type RepairResult, repairBacklog } from '../../adapters/files/doctor-repair.js';
import { count } from '../../mcp/render.js';
import type { Config } from '../../runtime/node/config.js';
import { findGitTopLevel, rebaseInProgress } from '../../runtime/node/project-root.js';
import { EXIT } from '../daemon.js';
import { cliIdentity } from '../identity.js';
import { closest } from '../suggest.js';

const FLAGS = ['--fix', '--json', '--help'];

function parseFlags(argv: string[]): { fix: boolean; json: boolean } | string {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { fix: { type: 'boolean' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 0) {
      return `Unexpected argument "${positionals[0]}": doctor checks the backlog of the folder it runs in.`;
    }
    return { fix: values.fix === true, json: values.json === true };
  } catch (error) {
    const typed = /Unknown option '([^']+)'/.exec(String(error))?.[1];
    const guess = typed ? closest(typed, FLAGS) : undefined;
    const hint = guess ? `Did you mean ${guess}?` : 'Run "backlog-mcp doctor --help" for the options.';
    return `${typed ? `Unknown option ${typed}` : String(error)}. ${hint}`;
  }
}

/** A finding as --json gives it: the field names of the tools' structured results. */
function findingJson(finding: Finding): Record<string, unknown> {
  const { unfixedBecause, ...rest } = finding;
  return unfixedBecause === undefined ? rest : { ...rest, unfixed_because: unfixedBecause };
}

function findingLines(finding: Finding): string[] {
  const where = finding.file ?? finding.id ?? '';
  const lines = [`${where}: ${finding.message}${finding.fixable ? ' (doctor --fix repairs this)' : ''}`];
  if (finding.unfixedBecause) lines.push(`  left to you: ${finding.unfixedBecause}`);
  return lines;
}

function summaryLine(exam: Examination): string {
  const problems = exam.problems.length === 0 ? 'no problems' : count(exam.problems.length, 'problem');
  return `${exam.backlogDir}: ${count(exam.files, 'item file')}, ${problems}.`;
}

/** The text a person reads: repairs made, then what is still wrong, then what to do next. */
function renderText(exam: Examination, repaired: RepairResult | undefined): string {
  if (!exam.exists) return `No backlog at ${exam.backlogDir}: nothing to check.\n`;
  const lines: string[] = [];
  for (const repair of repaired?.repairs ?? []) lines.push(repair.message);
  for (const skipped of repaired?.skipped ?? []) lines.push(`not repaired: ${skipped}`);
  if (repaired && repaired.repairs.length === 0 && repaired.skipped.length === 0 && exam.problems.length > 0) {
    lines.push('Nothing that --fix can repair: each problem below needs a choice.');
  }
  lines.push(summaryLine(exam));
  for (const finding of exam.problems) lines.push(...findingLines(finding));
  for (const note of exam.notes) lines.push(`note: ${note.file ?? note.id}: ${note.message}`);
  const fixable = exam.problems.filter((finding) => finding.fixable).length;
  if (fixable > 0) lines.push(`Run "backlog-mcp doctor --fix" to repair ${fixable} of them.`);
  const next = nextStep(exam, repaired);
  if (next) lines.push(next);
  return `${lines.join('\n')}\n`;
}

/** After repairs in a git work tree: commit them (which also marks the conflicts resolved). */
function nextStep(exam: Examination, repaired: RepairResult | undefined): string | undefined {
  if (!repaired?.repairs.some((repair) => repair.kind === 'split')) return undefined;
  const top = findGitTopLevel(exam.backlogDir);
  if (!top) return undefined;
  const where = relative(process.cwd(), exam.backlogDir) || '.';
  return `Next: git add ${where} && ${rebaseInProgress(top) ? 'git rebase --continue' : 'git commit'}`;
}

function renderJson(exam: Examination, repaired: RepairResult | undefined): string {
  const report = {
    backlog: exam.backlogDir,
    exists: exam.exists,
    files: exam.files,
    items: exam.items,
    clean: exam.problems.length === 0,
    problems: exam.problems.map(findingJson),
    notes: exam.notes.map(findingJson),
    ...(repaired ? { repairs: repaired.repairs, skipped: repaired.skipped } : {}),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * `backlog-mcp doctor [--fix] [--json]`: checks the backlog of this folder from its files (a
 * server may or may not be running on it). With --fix, repairs what loses nothing and needs no
 * choice, then checks again. Exit 0 when nothing is left wrong, 1 otherwise.
 */
export async function runDoctor(argv: string[], config: Config): Promise<number> {
  const flags = parseFlags(argv);
  if (typeof flags === 'string') {
    process.stderr.write(`backlog-mcp doctor: ${flags}\n`);
    return EXIT.usage;
  }
  let exam = await examineBacklog(config.backlogDir);
  let repaired: RepairResult | undefined;
  const due = exam.problems.some((finding) => finding.fixable);
  if (flags.fix && due) {
    repaired = await repairBacklog(exam, {
      actor: cliIdentity(config),
      log: (line) => process.stderr.write(`backlog-mcp: ${line}\n`),
    });
    exam = await examineBacklog(config.backlogDir);
  } else if (flags.fix) {
    repaired = { repairs: [], skipped: [] };
  }
  process.stdout.write(flags.json ? renderJson(exam, repaired) : renderText(exam, repaired));
  return exam.problems.length === 0 ? EXIT.ok : EXIT.toolError;
}
