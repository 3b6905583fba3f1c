import { parseArgs } from 'node:util';
import type { Briefing } from '../../core/backlog.js';
import { BRIEFING_MAX_BYTES, BRIEFING_MIN_BYTES } from '../../core/briefing-text.js';
import type { Config } from '../../runtime/node/config.js';
import { EXIT, ownerHeaders, probe, TIMEOUTS, targetOf, tokenForServer } from '../daemon.js';

interface BriefOptions {
  json: boolean;
  hook: boolean;
  agent?: string;
  maxBytes?: number;
}

class UsageError extends Error {}

function parse(argv: string[]): BriefOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      hook: { type: 'boolean' },
      agent: { type: 'string' },
      'max-bytes': { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}"`);
  const options: BriefOptions = { json: values.json === true, hook: values.hook === true };
  if (values.agent?.trim()) options.agent = values.agent.trim();
  const raw = values['max-bytes'];
  if (raw !== undefined) {
    const bytes = Number(raw);
    if (!/^\d+$/.test(raw) || bytes < BRIEFING_MIN_BYTES || bytes > BRIEFING_MAX_BYTES) {
      throw new UsageError(
        `--max-bytes: expected a whole number from ${BRIEFING_MIN_BYTES} to ${BRIEFING_MAX_BYTES}, received "${raw}"`,
      );
    }
    options.maxBytes = bytes;
  }
  return options;
}

/** Through the running server when one answers (it has the backlog loaded), else from the files. */
async function fetchBriefing(config: Config, request: { agent?: string; maxBytes?: number }): Promise<Briefing> {
  const target = targetOf(config);
  if ((await probe(target)).state === 'running') {
    const url = new URL(`${target.base}/api/briefing`);
    url.searchParams.set('project', config.backlogDir);
    if (request.agent) url.searchParams.set('agent', request.agent);
    if (request.maxBytes !== undefined) url.searchParams.set('max_bytes', String(request.maxBytes));
    const response = await fetch(url, {
      headers: ownerHeaders(tokenForServer(config)),
      signal: AbortSignal.timeout(TIMEOUTS.healthMs),
    });
    const body = (await response.json()) as Briefing | { error?: string };
    if (!response.ok) throw new Error((body as { error?: string }).error ?? `the server answered ${response.status}`);
    return body as Briefing;
  }
  const { openBacklogForReading } = await import('../../runtime/node/backlog.js');
  const reader = await openBacklogForReading(config.backlogDir, () => undefined);
  try {
    return await reader.backlog.briefing(request);
  } finally {
    await reader.close();
  }
}

/**
 * Claude Code's and Codex's SessionStart output: the briefing as additional context. Always valid,
 * always exit 0: a hook that fails must never block the session (it gets an empty context instead).
 */
function hookOutput(text: string): string {
  return `${JSON.stringify({ hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: text } })}\n`;
}

/** `brief [--json] [--agent NAME] [--max-bytes N] [--hook]`: the session briefing of this folder's backlog. */
export async function runBrief(argv: string[], loadConfig: () => Config): Promise<number> {
  let options: BriefOptions;
  try {
    options = parse(argv);
  } catch (error) {
    process.stderr.write(`backlog-mcp brief: ${error instanceof Error ? error.message : String(error)}\n`);
    // Even a mistyped hook command must not block a session: valid output, exit 0.
    if (argv.includes('--hook')) {
      process.stdout.write(hookOutput(''));
      return EXIT.ok;
    }
    return EXIT.usage;
  }
  try {
    // Inside the try: a bad setting in the environment must not break a hook either.
    const config = loadConfig();
    // Whose claims are "yours": --agent, else BACKLOG_ACTOR_NAME; a hook names the client with --agent.
    const agent = options.agent ?? config.actorName;
    const briefing = await fetchBriefing(config, { ...(agent ? { agent } : {}), maxBytes: options.maxBytes });
    if (options.hook) process.stdout.write(hookOutput(briefing.text));
    else process.stdout.write(options.json ? `${JSON.stringify(briefing, null, 2)}\n` : `${briefing.text}\n`);
    return EXIT.ok;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`backlog-mcp brief: ${message}\n`);
    if (options.hook) {
      process.stdout.write(hookOutput(''));
      return EXIT.ok;
    }
    return EXIT.failure;
  }
}
