import { existsSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { parseArgs } from 'node:util';
import type { Briefing } from '../../core/backlog.js';
import { BRIEFING_MAX_BYTES, BRIEFING_MIN_BYTES } from '../../core/briefing-text.js';
import type { Config } from '../../runtime/node/config.js';
import { EXIT, isRefused, ownerHeaders, TIMEOUTS, targetOf, tokenForServer } from '../daemon.js';

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

/**
 * GET with node:http, one connection, no keep-alive. Not fetch: in a process that lives for one
 * request, loading undici and waiting at exit for V8 to finish optimising its WebAssembly parser
 * cost ~230 ms of the ~430 ms a hook waited (docs/benchmarks.md). Undefined when nobody listens.
 */
function getJson(url: URL, headers: Record<string, string>): Promise<{ status: number; body: unknown } | undefined> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers, agent: false, timeout: TIMEOUTS.healthMs }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => {
        try {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as unknown });
        } catch {
          resolve({ status: response.statusCode ?? 0, body: undefined });
        }
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUTS.healthMs} ms`)));
    request.on('error', (error) => (isRefused(error) ? resolve(undefined) : reject(error)));
  });
}

/**
 * Through the running server when one answers (it has the backlog loaded): one request, no probe
 * first. With nobody listening, or a server that refuses this folder's token (it serves another
 * data folder), the briefing is read from the files instead.
 */
async function fetchBriefing(config: Config, request: { agent?: string; maxBytes?: number }): Promise<Briefing> {
  const target = targetOf(config);
  const url = new URL(`${target.base}/api/briefing`);
  url.searchParams.set('project', config.backlogDir);
  if (request.agent) url.searchParams.set('agent', request.agent);
  if (request.maxBytes !== undefined) url.searchParams.set('max_bytes', String(request.maxBytes));
  const answer = await getJson(url, ownerHeaders(tokenForServer(config)));
  if (answer && answer.status !== 401) {
    const body = answer.body as (Briefing & { error?: string }) | undefined;
    if (answer.status === 200 && body) return body;
    throw new Error(body?.error ?? `the server answered ${answer.status}`);
  }
  return readBriefing(config, request);
}

/** From the files, without a server. A backlog folder that does not exist is not created for it. */
async function readBriefing(config: Config, request: { agent?: string; maxBytes?: number }): Promise<Briefing> {
  if (!existsSync(config.backlogDir))
    throw new Error(`no backlog at ${config.backlogDir} yet (run "backlog-mcp init")`);
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
