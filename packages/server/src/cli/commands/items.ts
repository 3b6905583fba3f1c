import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ENTITY_TYPES, PRIORITIES, STATUSES } from '@backlog-mcp/shared';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { LIMITS } from '../../core/limits.js';
import { createMcpServer } from '../../mcp/server.js';
import { openNodeBacklog } from '../../runtime/node/backlog.js';
import { BACKLOG_DIR_HEADER } from '../../runtime/node/backlog-location.js';
import type { Config } from '../../runtime/node/config.js';
import { VERSION } from '../../runtime/node/version.js';
import {
  DaemonError,
  EXIT,
  ownerHeaders,
  probe,
  refusedTokenMessage,
  refusesToken,
  targetOf,
  tokenForServer,
} from '../daemon.js';
import { cliIdentity } from '../identity.js';
import { closest } from '../suggest.js';

/** How a flag's text becomes the tool argument. */
type Kind = 'string' | 'int' | 'bool' | 'false' | 'list' | 'lines' | 'references';

interface Flag {
  /** The tool argument; the flag is its kebab-case form (epic_id → --epic-id). */
  arg: string;
  kind: Kind;
  help: string;
  /** A flag name other than the argument's kebab-case form (e.g. --release for claim=false). */
  flag?: string;
}

interface ItemCommand {
  tool: string;
  summary: string;
  /** The first words on the command line fill this argument. */
  positional?: { arg: string; name: string; mode: 'one' | 'words' | 'ids'; required: boolean };
  flags: Flag[];
  /** Arguments that may be cleared with --clear (sent as null). */
  clearable?: string[];
  /** The tool pages its answer (next_cursor): --all follows it to the end. */
  pages?: { items: 'items' | 'results'; maxLimit: number };
}

const STATUS_HELP = STATUSES.join(', ');
const SCOPE_FLAG: Flag = {
  arg: 'scope',
  kind: 'string',
  help: 'project (default: the backlog of this folder) or all (every backlog the server knows)',
};
const CURSOR_FLAG: Flag = { arg: 'cursor', kind: 'string', help: 'continue from a next_cursor (same filters)' };
const PRIORITY_HELP = PRIORITIES.join(', ');
const TYPE_HELP = ENTITY_TYPES.join(', ');

export const ITEMS: Record<string, ItemCommand> = {
  list: {
    tool: 'backlog_list',
    summary: 'List items, newest first (default: open, in_progress and blocked).',
    flags: [
      { arg: 'ready', kind: 'bool', help: 'only work ready to pick: open, unclaimed, blockers done' },
      { arg: 'status', kind: 'list', help: `statuses to include, comma-separated (${STATUS_HELP})` },
      { arg: 'type', kind: 'string', help: `one type (${TYPE_HELP})` },
      { arg: 'epic_id', kind: 'string', help: 'items of this epic' },
      { arg: 'parent_id', kind: 'string', help: 'children of this item' },
      { arg: 'labels', kind: 'list', help: 'items carrying all of these labels, comma-separated' },
      { arg: 'query', kind: 'string', help: 'words the title or description must contain' },
      { arg: 'counts', kind: 'bool', help: 'also count items per status and type' },
      { arg: 'limit', kind: 'int', help: 'at most this many items (per page with --all)' },
      CURSOR_FLAG,
      SCOPE_FLAG,
    ],
    pages: { items: 'items', maxLimit: LIMITS.listLimitMax },
  },
  get: {
    tool: 'backlog_get',
    summary: 'Show whole items: all fields and the Markdown description.',
    positional: { arg: 'id', name: 'ID...', mode: 'ids', required: true },
    flags: [],
  },
  search: {
    tool: 'backlog_search',
    summary: 'Search titles and descriptions; best matches first.',
    positional: { arg: 'query', name: 'QUERY', mode: 'words', required: true },
    flags: [
      { arg: 'query', kind: 'string', help: 'the query (instead of the words after "search")' },
      { arg: 'types', kind: 'list', help: `types to include, comma-separated (${TYPE_HELP})` },
      { arg: 'status', kind: 'list', help: `statuses to include, comma-separated (${STATUS_HELP})` },
      { arg: 'limit', kind: 'int', help: 'at most this many results (per page with --all)' },
      { arg: 'sort', kind: 'string', help: 'relevance (default) or recent' },
      { arg: 'include_content', kind: 'bool', help: 'return whole descriptions' },
      CURSOR_FLAG,
      SCOPE_FLAG,
    ],
    pages: { items: 'results', maxLimit: LIMITS.searchLimitMax },
  },
  context: {
    tool: 'backlog_context',
    summary: 'An item with its parent, epic, children, siblings, references and recent activity.',
    positional: { arg: 'task_id', name: 'ID', mode: 'one', required: false },
    flags: [
      { arg: 'task_id', kind: 'string', help: 'the item (instead of the ID after "context")' },
      { arg: 'query', kind: 'string', help: 'find the item by description instead of ID' },
      { arg: 'depth', kind: 'int', help: '1 (default) or 2 levels of relations' },
      { arg: 'include_related', kind: 'bool', help: 'also items found by semantic similarity' },
      { arg: 'include_content', kind: 'bool', help: 'whole descriptions of the neighbours' },
    ],
  },
  create: {
    tool: 'backlog_create',
    summary: 'Create an item; prints its new ID.',
    positional: { arg: 'title', name: 'TITLE', mode: 'words', required: true },
    flags: [
      { arg: 'title', kind: 'string', help: 'the title (instead of the words after "create")' },
      { arg: 'description', kind: 'string', help: 'Markdown body; "-" reads it from stdin' },
      { arg: 'type', kind: 'string', help: `${TYPE_HELP} (default task)` },
      { arg: 'epic_id', kind: 'string', help: 'the epic it belongs to' },
      { arg: 'parent_id', kind: 'string', help: 'its parent item' },
      { arg: 'blocked_by', kind: 'list', help: 'IDs that must be done first, comma-separated' },
      { arg: 'priority', kind: 'string', help: PRIORITY_HELP },
      { arg: 'labels', kind: 'list', help: 'labels, comma-separated' },
      { arg: 'due_date', kind: 'string', help: 'YYYY-MM-DD' },
      { arg: 'references', kind: 'references', help: 'links: URLs comma-separated, or JSON [{"url","title"}]' },
      { arg: 'source_path', kind: 'string', help: 'a local text file whose content becomes the description' },
    ],
  },
  update: {
    tool: 'backlog_update',
    summary: 'Change fields of an item; fields not given stay as they are.',
    positional: { arg: 'id', name: 'ID', mode: 'one', required: true },
    flags: [
      { arg: 'claim', kind: 'bool', help: 'take the item: in_progress, leased to you for 30 min' },
      { arg: 'claim', flag: 'release', kind: 'false', help: 'release your claim (claim=false)' },
      { arg: 'agent', kind: 'string', help: 'who you are (default: BACKLOG_ACTOR_NAME, else user@host)' },
      { arg: 'force', kind: 'bool', help: "override another agent's running claim (journaled)" },
      { arg: 'if_version', kind: 'int', help: 'fail instead of overwriting a newer version' },
      { arg: 'title', kind: 'string', help: 'new title' },
      { arg: 'description', kind: 'string', help: 'new Markdown body; "-" reads it from stdin' },
      { arg: 'status', kind: 'string', help: STATUS_HELP },
      { arg: 'epic_id', kind: 'string', help: 'move to this epic' },
      { arg: 'parent_id', kind: 'string', help: 'move under this item' },
      { arg: 'blocked_reason', kind: 'lines', help: 'why it is blocked (repeat the flag for several)' },
      { arg: 'evidence', kind: 'lines', help: 'proof of the work done (repeat the flag for several)' },
      { arg: 'blocked_by', kind: 'list', help: 'IDs that must be done first, comma-separated' },
      { arg: 'priority', kind: 'string', help: PRIORITY_HELP },
      { arg: 'labels', kind: 'list', help: 'replace the labels, comma-separated' },
      { arg: 'add_labels', kind: 'list', help: 'add labels, comma-separated' },
      { arg: 'remove_labels', kind: 'list', help: 'remove labels, comma-separated' },
      { arg: 'references', kind: 'references', help: 'links: URLs comma-separated, or JSON [{"url","title"}]' },
      { arg: 'due_date', kind: 'string', help: 'YYYY-MM-DD' },
      { arg: 'source_path', kind: 'string', help: 'a local text file whose content becomes the description' },
    ],
    clearable: [
      'description',
      'epic_id',
      'parent_id',
      'blocked_reason',
      'evidence',
      'blocked_by',
      'priority',
      'labels',
      'references',
      'due_date',
    ],
  },
  delete: {
    tool: 'backlog_delete',
    summary: 'Delete an item permanently (its ID is never reused).',
    positional: { arg: 'id', name: 'ID', mode: 'one', required: true },
    flags: [],
  },
};

export const ITEM_COMMANDS: ReadonlySet<string> = new Set(Object.keys(ITEMS));

const kebab = (arg: string): string => arg.replaceAll('_', '-');
const flagName = (flag: Flag): string => flag.flag ?? kebab(flag.arg);

export function itemHelp(command: string): string {
  const spec = ITEMS[command];
  if (!spec) return '';
  const usage = `Usage: backlog-mcp ${command}${spec.positional ? ` ${spec.positional.required ? spec.positional.name : `[${spec.positional.name}]`}` : ''} [options]`;
  const rows: Array<[string, string]> = spec.flags.map((flag) => [
    `--${flagName(flag)}${flag.kind === 'bool' || flag.kind === 'false' ? '' : ' VALUE'}`,
    flag.help,
  ]);
  if (spec.clearable) rows.push(['--clear FIELD', `set fields to empty: ${spec.clearable.map(kebab).join(', ')}`]);
  if (spec.pages) rows.push(['--all', 'every page: follow next_cursor until none is left']);
  rows.push(['--json', 'print the structured result as JSON instead of text']);
  return `${usage}

${spec.summary} Runs the ${spec.tool} tool on the running server, or on the files
in the data folder when no server runs.

Options:
${rows.map(([flag, help]) => `  ${flag.padEnd(24)} ${help}`).join('\n')}`;
}

class UsageError extends Error {}

function readStdin(): string {
  return readFileSync(0, 'utf8');
}

function convert(flag: Flag, raw: string | boolean | Array<string | boolean>): unknown {
  const values = (Array.isArray(raw) ? raw : [raw]).map((v) => (typeof v === 'string' ? v : String(v)));
  const last = values.at(-1) ?? '';
  switch (flag.kind) {
    case 'bool':
      return true;
    case 'false':
      return false;
    case 'int': {
      if (!/^\d+$/.test(last.trim())) throw new UsageError(`--${flagName(flag)} expects a whole number, got "${last}"`);
      return Number(last);
    }
    case 'list':
      return values
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean);
    case 'lines':
      return values;
    case 'references': {
      const text = last.trim();
      if (text.startsWith('[') || text.startsWith('{')) {
        try {
          return JSON.parse(text);
        } catch {
          throw new UsageError(`--${kebab(flag.arg)}: invalid JSON`);
        }
      }
      return text
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean)
        .map((url) => ({ url }));
    }
    default:
      return flag.arg === 'description' && last === '-' ? readStdin() : last;
  }
}

/** parseArgs's own messages are generic; a mistyped flag gets the flag it most likely meant. */
function usageMessage(command: string, error: unknown, flags: string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const help = `Run "backlog-mcp ${command} --help" for the options.`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const typed = /Unknown option '([^']+)'/.exec(message)?.[1] ?? '';
    const known = [...flags, 'help'].map((flag) => `--${flag}`);
    const guess = closest(typed, known);
    return `Unknown option ${typed}. ${guess ? `Did you mean ${guess}?` : help}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /Option '(-[^' ]+)/.exec(message)?.[1];
    if (flag && /argument missing/.test(message)) return `${flag} needs a value. ${help}`;
    if (flag && /does not take an argument/.test(message)) return `${flag} takes no value. ${help}`;
  }
  return message;
}

/** Turns command-line words into the tool's arguments. */
export function parseItemArgs(
  command: string,
  argv: string[],
): { args: Record<string, unknown>; json: boolean; all?: boolean } {
  const spec = ITEMS[command];
  if (!spec) throw new UsageError(`Unknown command ${command}`);
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = { json: { type: 'boolean' } };
  for (const flag of spec.flags) {
    const boolean = flag.kind === 'bool' || flag.kind === 'false';
    options[flagName(flag)] = { type: boolean ? 'boolean' : 'string', multiple: true };
  }
  if (spec.clearable) options.clear = { type: 'string', multiple: true };
  if (spec.pages) options.all = { type: 'boolean' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(usageMessage(command, error, Object.keys(options)));
  }
  const args: Record<string, unknown> = {};
  for (const flag of spec.flags) {
    const value = parsed.values[flagName(flag)];
    if (value !== undefined) args[flag.arg] = convert(flag, value as string | boolean | Array<string | boolean>);
  }
  const clear = (parsed.values.clear as string[] | undefined) ?? [];
  for (const name of clear.flatMap((v) => v.split(',')).map((v) => v.trim().replaceAll('-', '_'))) {
    if (!name) continue;
    if (!spec.clearable?.includes(name)) {
      throw new UsageError(`--clear: "${name}" cannot be cleared; use one of ${spec.clearable?.map(kebab).join(', ')}`);
    }
    args[name] = null;
  }
  const words = parsed.positionals;
  const positional = spec.positional;
  if (positional && words.length > 0 && args[positional.arg] === undefined) {
    if (positional.mode === 'one' && words.length > 1) {
      throw new UsageError(`Expected one ${positional.name}, got ${words.length}: ${words.join(' ')}`);
    }
    args[positional.arg] =
      positional.mode === 'ids'
        ? words.length === 1
          ? words[0]
          : words.flatMap((w) => w.split(',')).filter(Boolean)
        : words.join(' ');
  } else if (words.length > 0) {
    throw new UsageError(`Unexpected argument "${words[0]}"`);
  }
  if (positional?.required && args[positional.arg] === undefined) {
    // "ID..." in the usage line means "one or more"; the message names the thing itself.
    const what = positional.name.replace(/\.\.\.$/, '');
    throw new UsageError(`Missing ${what}. Run "backlog-mcp ${command} --help" for the options.`);
  }
  if (parsed.values.all === true && args.cursor !== undefined)
    throw new UsageError('--all starts at the first page: drop --cursor');
  return { args, json: parsed.values.json === true, ...(parsed.values.all === true ? { all: true } : {}) };
}

interface Connection {
  client: Client;
  close(): Promise<void>;
}

/** The running server when one answers, otherwise the files directly: both paths run the same tools. */
async function connect(config: Config): Promise<Connection> {
  // Named after the person, so the journal says who acted, on the server and in-process alike.
  const client = new Client({ name: cliIdentity(config), version: VERSION });
  const target = targetOf(config);
  if ((await probe(target)).state === 'running') {
    const token = tokenForServer(config);
    if (await refusesToken(target, token)) throw new DaemonError(refusedTokenMessage(config, target.port));
    const transport = new StreamableHTTPClientTransport(new URL(`${target.base}/mcp`), {
      requestInit: { headers: { [BACKLOG_DIR_HEADER]: config.backlogDir, ...ownerHeaders(token) } },
    });
    await client.connect(transport);
    return {
      client,
      close: async () => {
        await transport.terminateSession().catch(() => {});
        await client.close();
      },
    };
  }
  const node = await openNodeBacklog({
    dataDir: config.backlogDir,
    watch: false,
    // One command, then exit: the sentence encoder would cost its load and never finish its work.
    search: config.search === 'deep' ? 'hybrid' : config.search,
    // Warnings (unreadable files...) matter to a person at a terminal; the routine index summary does not.
    log: (line) => {
      if (!/^backlog: (indexed|loaded) \d+ items? /.test(line)) process.stderr.write(`backlog-mcp: ${line}\n`);
    },
  });
  const server = createMcpServer(node.backlog, {
    version: config.versionOverride ?? VERSION,
    actorName: config.actorName,
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  return {
    client,
    close: async () => {
      await client.close();
      await server.close();
      await node.close();
    },
  };
}

/** `list`, `get`, `search`, `context`, `create`, `update`, `delete`: one tool call each. */
export async function runItemCommand(command: string, argv: string[], config: Config): Promise<number> {
  const spec = ITEMS[command];
  if (!spec) return EXIT.usage;
  let request: ReturnType<typeof parseItemArgs>;
  try {
    request = parseItemArgs(command, argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`backlog-mcp ${command}: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  // Every update names its agent: the claim guard compares it with the holder on each call.
  if (spec.tool === 'backlog_update' && request.args.agent === undefined) request.args.agent = cliIdentity(config);
  const connection = await connect(config);
  try {
    const pages: CallToolResult[] = [];
    let cursor: string | undefined;
    const args =
      request.all && request.args.limit === undefined ? { ...request.args, limit: spec.pages?.maxLimit } : request.args;
    do {
      const result = (await connection.client.callTool({
        name: spec.tool,
        arguments: cursor ? { ...args, cursor } : args,
      })) as CallToolResult;
      if (result.isError) {
        process.stderr.write(`${asFlags(textOf(result))}\n`);
        return EXIT.toolError;
      }
      pages.push(result);
      const next = (result.structuredContent as { next_cursor?: unknown } | undefined)?.next_cursor;
      cursor = request.all && typeof next === 'string' && next !== cursor ? next : undefined;
    } while (cursor);
    const { text, structured } = spec.pages && pages.length > 1 ? joinPages(pages, spec.pages.items) : onePage(pages);
    process.stdout.write(
      request.json ? `${JSON.stringify(structured ?? null, null, 2)}\n` : `${text.replace(/\n$/, '')}\n`,
    );
    // `get` answers missing IDs in its result; for scripts that is a failure.
    const missing = (structured as { not_found?: unknown } | undefined)?.not_found;
    if (Array.isArray(missing) && missing.length > 0) {
      process.stderr.write(`Not found: ${missing.join(', ')}\n`);
      return EXIT.toolError;
    }
    return EXIT.ok;
  } finally {
    await connection.close();
  }
}

/** The SDK's refusal of a tool's arguments, which names them as the tool does. */
const SCHEMA_REFUSAL = /^MCP error -32602: Input validation error: Invalid arguments for tool \w+: /;

/**
 * A schema refusal said in the CLI's terms, one line per problem: `--priority: Invalid enum value.
 * Expected 'high' | 'medium' | 'low', received 'urgent'`, not the SDK's JSON-RPC wording.
 */
export function asFlags(text: string): string {
  if (!SCHEMA_REFUSAL.test(text)) return text;
  return text
    .replace(SCHEMA_REFUSAL, '')
    .split('\n')
    .map((problem) => {
      const at = / at ([a-z_]+)(?:\[\d+\])?$/.exec(problem);
      return at ? `--${(at[1] as string).replace(/_/g, '-')}: ${problem.slice(0, at.index)}` : problem;
    })
    .join('\n');
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

function onePage(pages: CallToolResult[]): { text: string; structured: unknown } {
  const [page] = pages as [CallToolResult];
  return { text: textOf(page), structured: page.structuredContent };
}

const MORE_LINE = /^… more: cursor=/;

/**
 * Several pages as one answer: the last page's total and counts, every page's entries, no
 * next_cursor. The text keeps the tools' own lines: the first page's heading (with the page's
 * "N of M" made the whole count), each page's entry lines, and whatever follows the last page's entries.
 */
function joinPages(pages: CallToolResult[], key: 'items' | 'results'): { text: string; structured: unknown } {
  const bodies = pages.map((page) => page.structuredContent as Record<string, unknown>);
  const entries = bodies.flatMap((body) => (Array.isArray(body[key]) ? (body[key] as unknown[]) : []));
  const { next_cursor: _next, ...last } = bodies.at(-1) ?? {};
  const structured = { ...last, [key]: entries };
  const texts = pages.map((page) =>
    textOf(page)
      .split('\n')
      .filter((line) => !MORE_LINE.test(line)),
  );
  const head = (texts[0]?.[0] ?? '').replace(/^\d+ of /, '');
  const lines = [head];
  texts.forEach((page, i) => {
    // A list page is its heading, one line per item, then the counts; a search page has no tail.
    const body = page.slice(1);
    const itemLines = key === 'items' ? body.slice(0, (bodies[i]?.items as unknown[] | undefined)?.length ?? 0) : body;
    lines.push(...itemLines);
    if (i === texts.length - 1 && key === 'items') lines.push(...body.slice(itemLines.length));
  });
  return { text: lines.join('\n'), structured };
}
