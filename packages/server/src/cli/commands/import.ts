import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { IMPORTERS, pickImporter } from '../../adapters/import/registry.js';
import { checkBatch, STORE_REFUSES } from '../../app/import-schema.js';
import type { ImportReport } from '../../core/import/apply.js';
import { type ImportBatch, SourceError } from '../../core/import/imported-item.js';
import type { Config } from '../../runtime/node/config.js';
import { EXIT } from '../daemon.js';
import { progressBar, reportText } from '../import/report-text.js';
import { sendToServer } from '../import/send.js';

interface ImportArgs {
  source: string;
  dryRun: boolean;
  json: boolean;
  from?: string;
}

class UsageError extends Error {}

function parse(argv: string[]): ImportArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, from: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('expected one SOURCE: a folder or a file to import from');
  const systems = IMPORTERS.map((importer) => importer.system);
  if (values.from !== undefined && !systems.includes(values.from as (typeof systems)[number])) {
    throw new UsageError(`--from: expected one of ${[...new Set(systems)].join(', ')}, received "${values.from}"`);
  }
  return {
    source: positionals[0] as string,
    dryRun: values['dry-run'] === true,
    json: values.json === true,
    from: values.from,
  };
}

/** Writes the files in this process: no server is running for this backlog (or it serves another folder). */
async function importHere(
  config: Config,
  batch: ImportBatch,
  dryRun: boolean,
  onProgress: (d: number, t: number) => void,
) {
  // The server checks what it is sent with the same schema; here nobody else will.
  const checked = checkBatch(batch);
  if ('error' in checked) throw new Error(`${STORE_REFUSES}: ${checked.error}`);
  const { openNodeBacklog } = await import('../../runtime/node/backlog.js');
  const node = await openNodeBacklog({ dataDir: config.backlogDir, watch: false, log: () => undefined });
  try {
    return await node.backlog.import(batch, { dryRun, onProgress });
  } finally {
    await node.close();
  }
}

async function readSource(args: ImportArgs): Promise<ImportBatch> {
  const path = resolve(args.source);
  if (!existsSync(path)) throw new UsageError(`${args.source}: no such file or folder`);
  const importer = await pickImporter(path, args.from);
  if (!importer) {
    throw new UsageError(
      `${args.source}: not a format backlog-mcp imports. Supported: ${IMPORTERS.map((i) => i.describes).join('; ')}. Name one with --from if detection failed.`,
    );
  }
  return importer.read(path);
}

/** `import SOURCE [--dry-run] [--json] [--from SYSTEM]`: another tool's tasks into this folder's backlog. */
export async function runImport(argv: string[], loadConfig: () => Config): Promise<number> {
  const started = Date.now();
  try {
    const args = parse(argv);
    const batch = await readSource(args);
    const config = loadConfig();
    const onProgress = args.json || args.dryRun ? () => undefined : progressBar(process.stderr);
    let report: ImportReport;
    try {
      report =
        (await sendToServer(config, batch, args.dryRun, onProgress)) ??
        (await importHere(config, batch, args.dryRun, onProgress));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A value the store refuses is named after the source, as a parse error is: the file is what the user fixes.
      throw message.startsWith(STORE_REFUSES) ? new SourceError(resolve(args.source), message) : error;
    }
    process.stdout.write(
      args.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : reportText(report, config.backlogDir, (Date.now() - started) / 1000),
    );
    return EXIT.ok;
  } catch (error) {
    process.stderr.write(`backlog-mcp import: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof UsageError ? EXIT.usage : EXIT.toolError;
  }
}
