#!/usr/bin/env node
import { type Config, loadConfig } from '../runtime/node/config.js';
import { VERSION } from '../runtime/node/version.js';
import { EXIT } from './daemon.js';
import { commandHelp, PROGRAM_HELP } from './help.js';
import { stderrLog } from './log.js';

const HELP_FLAGS = new Set(['--help', '-h']);
/** Kept in sync with commands/items.ts (a test checks); commands load lazily so the bridge starts fast. */
const ITEM_COMMANDS = new Set(['list', 'get', 'search', 'context', 'create', 'update', 'delete']);
const itemHelp = async (command: string): Promise<string> => (await import('./commands/items.js')).itemHelp(command);

/** The bridge starts the server with its own settings: a setting it refused is said once, on stderr. */
function loadConfigSayingWarnings(): Config {
  const config = loadConfig();
  for (const warning of config.warnings ?? []) process.stderr.write(`backlog-mcp: warning: ${warning}\n`);
  return config;
}

/** Resolves to an exit code, or -1 for commands that keep running (serve, the bridge). */
async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const command = first ?? '--bridge';
  const wantsHelp = rest.some((arg) => HELP_FLAGS.has(arg));
  const print = (text: string): number => {
    process.stdout.write(text);
    return EXIT.ok;
  };
  if (HELP_FLAGS.has(command) || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined;
    if (!topic) return print(PROGRAM_HELP);
    if (ITEM_COMMANDS.has(topic)) return print(commandHelp(topic, await itemHelp(topic)));
    return print(commandHelp(topic === '--stdio' ? 'stdio' : topic === '--bridge' ? 'bridge' : topic));
  }
  // The test-only version override (BACKLOG_MCP_VERSION_OVERRIDE) is read through the config.
  const version = (): string => loadConfig().versionOverride ?? VERSION;
  switch (command) {
    case '--bridge':
    case 'bridge':
      if (wantsHelp) return print(commandHelp('bridge'));
      return (await import('./commands/bridge.js')).runBridge(loadConfigSayingWarnings(), version());
    case '--stdio':
      if (wantsHelp) return print(commandHelp('stdio'));
      await (await import('../runtime/node/stdio-server.js')).runStdioServer(loadConfig(), stderrLog);
      return -1;
    case 'serve':
      if (wantsHelp) return print(commandHelp('serve'));
      return (await import('./commands/serve.js')).runServe(loadConfig());
    case 'status':
      if (wantsHelp) return print(commandHelp('status'));
      return (await import('./commands/status.js')).runStatus(loadConfig());
    case 'stop':
      if (wantsHelp) return print(commandHelp('stop'));
      return (await import('./commands/stop.js')).runStop(loadConfig());
    case 'brief':
      if (wantsHelp) return print(commandHelp('brief'));
      return (await import('./commands/brief.js')).runBrief(rest, () => loadConfig());
    case 'import':
      if (wantsHelp) return print(commandHelp('import'));
      return (await import('./commands/import.js')).runImport(rest, () => loadConfig());
    case 'export':
      if (wantsHelp) return print(commandHelp('export'));
      return (await import('./commands/export.js')).runExport(rest, () => loadConfig());
    case 'reindex':
      if (wantsHelp) return print(commandHelp('reindex'));
      return (await import('./commands/reindex.js')).runReindex(loadConfig());
    case 'init':
      if (wantsHelp) return print(commandHelp('init'));
      return (await import('./commands/init.js')).runInit(rest, loadConfig());
    case 'doctor':
      if (wantsHelp) return print(commandHelp('doctor'));
      return (await import('./commands/doctor.js')).runDoctor(rest, loadConfig());
    case 'version':
    case '--version':
    case '-v':
      if (wantsHelp) return print(commandHelp('version'));
      return print(`${version()}\n`);
    default:
      if (ITEM_COMMANDS.has(command)) {
        if (wantsHelp) return print(commandHelp(command, await itemHelp(command)));
        return (await import('./commands/items.js')).runItemCommand(command, rest, loadConfig());
      }
      return unknownCommand(command);
  }
}

const COMMANDS = [
  'bridge',
  'serve',
  'status',
  'stop',
  'reindex',
  'init',
  'doctor',
  'brief',
  'import',
  'export',
  'version',
  'help',
  ...ITEM_COMMANDS,
];
const OPTIONS = ['--stdio', '--bridge', '--version', '--help'];

async function unknownCommand(command: string): Promise<number> {
  const guess = (await import('./suggest.js')).closest(command, command.startsWith('-') ? OPTIONS : COMMANDS);
  const hint = guess ? `Did you mean ${guess}?` : 'Run "backlog-mcp --help" for the commands.';
  process.stderr.write(
    `Unknown ${command.startsWith('-') ? 'option' : 'command'} ${JSON.stringify(command)}. ${hint}\n`,
  );
  return EXIT.usage;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    stderrLog(`backlog-mcp: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(EXIT.failure);
  },
);
