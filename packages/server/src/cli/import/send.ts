import { request as httpRequest } from 'node:http';
import type { ImportReport } from '../../core/import/apply.js';
import type { ImportBatch } from '../../core/import/imported-item.js';
import { BACKLOG_DIR_HEADER } from '../../runtime/node/backlog-location.js';
import type { Config } from '../../runtime/node/config.js';
import { isRefused, ownerHeaders, targetOf, tokenForServer } from '../daemon.js';

type Progress = (done: number, total: number) => void;

const OLD_SERVER =
  'the server running for this backlog is older than this command and cannot import. Restart it ' +
  '("backlog-mcp stop"; the next agent session starts the new one, or run "backlog-mcp serve"), then import again.';

/**
 * The import through the running server, which has the backlog open: its index, journal and live
 * viewers see the import as it lands. Undefined when nobody listens or the server refuses this
 * folder's token (it serves another data folder): the caller then writes the files itself.
 */
export function sendToServer(
  config: Config,
  batch: ImportBatch,
  dryRun: boolean,
  onProgress: Progress,
): Promise<ImportReport | undefined> {
  const target = targetOf(config);
  const body = JSON.stringify({ batch, dry_run: dryRun });
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      new URL(`${target.base}/import`),
      {
        method: 'POST',
        agent: false,
        headers: {
          ...ownerHeaders(tokenForServer(config)),
          [BACKLOG_DIR_HEADER]: config.backlogDir,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        if (response.statusCode === 401) {
          response.resume();
          resolve(undefined);
          return;
        }
        if (response.statusCode === 404 && !String(response.headers['content-type']).includes('json')) {
          // A server from before 0.4 holds the backlog but has no /import; writing beside it would race it.
          response.resume();
          reject(new Error(OLD_SERVER));
          return;
        }
        readLines(response, onProgress).then((answer) => {
          if (answer.report) resolve(answer.report);
          else reject(new Error(answer.error ?? `the server answered ${response.statusCode}`));
        }, reject);
      },
    );
    request.on('error', (error) => (isRefused(error) ? resolve(undefined) : reject(error)));
    request.end(body);
  });
}

interface Answer {
  report?: ImportReport;
  error?: string;
}

/** NDJSON progress lines, then the report or the error; a plain JSON error body (400, 404, 413) too. */
async function readLines(response: NodeJS.ReadableStream, onProgress: Progress): Promise<Answer> {
  let buffer = '';
  const answer: Answer = {};
  const take = (line: string) => {
    if (!line.trim()) return;
    let parsed: { progress?: [number, number]; report?: ImportReport; error?: string };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      answer.error = line.slice(0, 500);
      return;
    }
    if (parsed.progress) onProgress(parsed.progress[0], parsed.progress[1]);
    if (parsed.report) answer.report = parsed.report;
    if (parsed.error) answer.error = parsed.error;
  };
  response.setEncoding('utf8');
  for await (const chunk of response) {
    buffer += chunk as string;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    lines.forEach(take);
  }
  take(buffer);
  return answer;
}
