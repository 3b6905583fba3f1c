import { fileURLToPath } from 'node:url';
import { ENV_DOCS } from '../runtime/node/config.js';
import { VERSION } from '../runtime/node/version.js';

/** This copy's entry point: a client config that names it works from a clone, with nothing installed. */
const SELF = fileURLToPath(new URL('./index.js', import.meta.url));

const ENVIRONMENT = `Environment (also read from ./.env; the process environment wins):
${ENV_DOCS.map((e) => `  ${e.name.padEnd(22)} ${e.meaning} (default ${e.default})`).join('\n')}`;

const EXIT_CODES = `Exit codes: 0 success; 1 server not running (status, stop), the tool reported an error, or
doctor found problems; 2 usage error; 3 the server could not be started, stopped or reached.`;

export const PROGRAM_HELP = `backlog-mcp ${VERSION} — a task backlog for LLM agents, served over MCP

Usage:
  backlog-mcp              bridge stdio to the shared HTTP server, starting it if needed; what MCP
                           clients run: {"command": "backlog-mcp"} when it is on the PATH, otherwise
                           {"command": "node", "args": [${JSON.stringify(SELF)}]}
  backlog-mcp --stdio      MCP straight over stdio, in this process, no HTTP server
  backlog-mcp serve        run the HTTP server in the foreground (/mcp, /api, the viewer)
  backlog-mcp reindex      rebuild the search index and vector caches from the files (progress bar)
  backlog-mcp status       is the server running? version, data folder, task count, uptime, URLs
  backlog-mcp stop         stop the server
  backlog-mcp version      print the version
  backlog-mcp init [DIR]   make a project backlog: .backlog/ at the top of the git repository
  backlog-mcp doctor       check this folder's backlog (after a git pull); --fix splits add/add conflicts
  backlog-mcp brief        where this folder's backlog stands, in ~600 tokens (for session-start hooks)
  backlog-mcp import SRC   bring tasks from Backlog.md, beads, Task Master, GitHub issues or an export
  backlog-mcp export       every item as json, jsonl, csv or one Markdown document

  backlog-mcp list         list items            backlog-mcp create TITLE   create an item
  backlog-mcp get ID...    show whole items      backlog-mcp update ID      change an item
  backlog-mcp search TEXT  search items          backlog-mcp delete ID      delete an item
  backlog-mcp context ID   an item and everything around it

  backlog-mcp COMMAND --help   options of one command

${ENVIRONMENT}

${EXIT_CODES}
`;

const COMMANDS: Record<string, string> = {
  bridge: `Usage: backlog-mcp [--bridge]

The default command, for MCP clients. Makes sure a backlog-mcp HTTP server runs on
BACKLOG_VIEWER_PORT (reusing it, starting it as a detached background process whose output
goes to <data>/.state/server.log, or replacing it when this copy is strictly newer), then
forwards MCP messages between stdin/stdout and the server's /mcp. If the connection is lost,
it restarts the server if needed and reconnects (backoff 1 s doubling to 30 s, 10 retries);
the client's session continues without a restart. stdout carries only MCP messages; logs go
to stderr and to <data>/.state/server.log.`,
  brief: `Usage: backlog-mcp brief [--json] [--agent NAME] [--max-bytes N] [--hook]

The session briefing of this folder's backlog (the nearest .backlog/, else ~/.backlog): the
items NAME holds (claims under NAME or NAME#session, lease time left), work in progress by
others, the top ready items in pick order, blocked items and what they wait on, what was done
since NAME's last activity (else the last 24 h), milestones due within 14 days, and how to get
more. Empty sections are left out; what did not fit is counted ("+12 more ready"). The same
text as the MCP prompt "briefing" and the resource mcp://backlog/briefing.

  --agent NAME     whose claims are "yours" (default BACKLOG_ACTOR_NAME; none: no such section)
  --max-bytes N    hard ceiling on the text, 200-100000 bytes (default 2000, about 600 tokens)
  --json           the same facts as JSON (sections, counts of what did not fit, the text)
  --hook           Claude Code / Codex SessionStart output:
                   {"hookSpecificOutput":{"hookEventName":"SessionStart","additionalContext":"..."}}
                   always exit 0 and valid JSON, so a failure never blocks a session

Asks the running server when one answers for this folder; otherwise (no server, or one that
serves another data folder) reads the files, which may refresh .state/items-cache.v8 and never
creates a backlog folder.
Recipes for Claude Code and Codex: docs/agents.md.`,
  import: `Usage: backlog-mcp import SOURCE [--dry-run] [--json] [--from SYSTEM]

Brings another tool's tasks into this folder's backlog (the nearest .backlog/, else ~/.backlog).
SOURCE is a folder or a file; its format is detected (--from names it: backlog.md, beads,
taskmaster, github, backlog-mcp):
  Backlog.md     a project's backlog/ folder (or the project folder)
  beads          .beads/issues.jsonl (or the folder holding .beads/)
  Task Master    .taskmaster/tasks/tasks.json (or the project folder)
  GitHub issues  the JSON of: gh issue list --state all --json
                 number,title,body,state,labels,milestone,url,createdAt,closedAt,assignees
  backlog-mcp    a backlog folder (ours or the upstream project's), or a json/jsonl export

Prints the plan (new, updated, unchanged, warnings) and applies it, all or nothing. Each item
remembers its source (front matter "source"), so importing the same source again updates those
items instead of duplicating them; links between imported items get the new IDs; creation and
update times are kept; the journal shows one actor, "import:<system>".

  --dry-run        print the plan, write nothing
  --json           the report as JSON (every item and warning)
  --from SYSTEM    skip detection

Goes through the running server when one answers for this folder (the viewer shows the import
live); otherwise writes the files itself. A source that does not parse is named with its file
and line, and nothing is imported. The mapping per source: docs/import.md.`,
  export: `Usage: backlog-mcp export [--format json|jsonl|csv|markdown] [--output FILE]

Every item of this folder's backlog (the nearest .backlog/, else ~/.backlog) with every field.
  json      {"format":"backlog-mcp-export","version":1,"exported_at":…,"items":[…]} (the default)
  jsonl     the same header line, then one item per line
  csv       one row per item for spreadsheets (lists joined with "; ")
  markdown  one readable document grouped by milestone and epic

json and jsonl import back without loss (backlog-mcp import FILE). To stdout unless --output.`,
  reindex: `Usage: backlog-mcp reindex

Re-reads every item file, embeds it anew with the shipped model and rewrites the vector cache
(<data>/.state/vectors-*.bin), showing a progress bar on a terminal (log lines otherwise).
In search mode deep (BACKLOG_SEARCH, the default) it then encodes every item with the sentence
encoder (<data>/.state/deep-vectors-*.bin, ~0.15 s of one core an item), with a second bar.
A running server keeps its in-memory index; restart it to load the new caches.
Exits 0 when done.`,
  stdio: `Usage: backlog-mcp --stdio

MCP over stdin/stdout, served in this process from the data folder, without an HTTP server
or viewer. For containers and sandboxes where a background server is not wanted.`,
  serve: `Usage: backlog-mcp serve

Runs the HTTP server in the foreground on 127.0.0.1 (BACKLOG_HOST) and BACKLOG_VIEWER_PORT:
the MCP endpoint /mcp, the REST API /api, the live viewer at /, /health and /version.
Every route but /version requires the owner's token, <data>/.state/server.token (mode 0600,
made once, kept across restarts): "Authorization: Bearer <token>". Prints the viewer's
sign-in link (/?token=...). Writes server.pid, removed on exit.
Stops on SIGINT/SIGTERM or \`backlog-mcp stop\`.
Exits 3 with a clear message when the port is taken.`,
  status: `Usage: backlog-mcp status

Prints, when a server answers on BACKLOG_VIEWER_PORT:
  Server is running on port 3030
  Version: 0.4.0
  Data directory: /home/you/.backlog
  Task count: 12
  Uptime: 3515s
  Viewer: http://localhost:3030/?token=<64 hex digits>   (open once: it sets a cookie)
  MCP endpoint: http://localhost:3030/mcp
  Backlogs (2):                     (every backlog the server serves or has served;
  * /home/you/code/app: 40 items, 9 active; open, 2 sessions     * marks this folder's)
and exits 0; otherwise prints "Server is not running" and exits 1.`,
  stop: `Usage: backlog-mcp stop

Stops the server on BACKLOG_VIEWER_PORT with the token in <data>/.state/server.token
(only the user who started the server can read it); a server that does not answer is
killed through its PID file, only when /proc proves it is this data folder's server
on this port (so never without /proc). Prints "Stopping server on port 3030..." then
"Server stopped" (exit 0), or "Server is not running" (exit 1); exits 3 if it could not
stop the server.`,
  init: `Usage: backlog-mcp init [DIR]

Makes a project backlog: a .backlog/ folder (tasks/, resources/ and a .gitignore that keeps
.state/ out of git) at the top level of the git repository holding DIR (default: here),
found by walking up to the folder with a .git entry (git itself is not needed); outside a
repository, in DIR itself. Agents and commands started in the project from then on use it,
unless BACKLOG_DATA_DIR pins another folder. Prints each path it made and the next step
(git add .backlog). Run again, it changes nothing and prints "already initialised: <path>",
or adds only what went missing (such as the .gitignore). Exits 2 when DIR does not exist
or lies inside a .backlog folder.`,
  doctor: `Usage: backlog-mcp doctor [--fix] [--json]

Checks the backlog this folder uses (BACKLOG_DATA_DIR when set, else the nearest .backlog/,
else ~/.backlog) by reading its files; a server need not run. Reports item files with git
conflict markers, files that do not parse, an id that differs from the file name, links
(parent_id, epic_id, blocked_by, mcp://backlog references) to items that do not exist, and
a high-water mark (.state/ids.json) that would let an issued ID be handed out again.

  --fix    repair what loses nothing: an add/add conflict (two clones each created the same
           ID) becomes two items, ours keeping the ID and theirs taking the next free one;
           a stale high-water mark is raised. Other problems need a choice and are only
           reported. Then commit: git add .backlog && git commit
  --json   print the report as JSON

Exits 0 when nothing is wrong (after --fix: nothing left), 1 when problems remain.`,
  version: `Usage: backlog-mcp version

Prints the version of this copy of backlog-mcp.`,
};

export function commandHelp(command: string, extra?: string): string {
  const body = extra ?? COMMANDS[command] ?? '';
  return `${body}\n\n${ENVIRONMENT}\n\n${EXIT_CODES}\n`;
}
