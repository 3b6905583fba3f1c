import type { Context } from 'hono';
import type { Backlog } from '../core/backlog.js';
import { BacklogError } from '../core/errors.js';
import { checkBatch, STORE_REFUSES } from './import-schema.js';

/** What a runtime brings for POST /import: the owner's token and the backlog a request names. */
export interface ImportRoute {
  token: string;
  backlog: (c: Context) => Promise<Backlog>;
}

/** A few thousand items can be tens of MB of descriptions; everything else stays at the app's 4 MB. */
export const IMPORT_MAX_BODY_BYTES = 256 * 1024 * 1024;

/**
 * POST /import `{batch, dry_run}` from `backlog-mcp import`: the CLI reads the other tool's files,
 * the server (which has the backlog open, its index and its live viewers) writes them, so the
 * journal, the search and the viewer see one import by one actor. The answer is NDJSON: progress
 * lines `{"progress":[done,total]}` while files are written, then `{"report":…}` or `{"error":…}`.
 */
export function handleImport(route: ImportRoute) {
  return async (c: Context): Promise<Response> => {
    // The guard already checked the token in constant time; this is the second lock, as for /shutdown.
    const offered = c.req.header('authorization')?.replace(/^Bearer\s+/i, '') ?? c.req.header('x-backlog-token');
    if (offered !== route.token) return c.json({ error: 'The server token is required' }, 403);
    const body = (await c.req.json().catch(() => undefined)) as { batch?: unknown; dry_run?: unknown } | undefined;
    if (!body || typeof body !== 'object') return c.json({ error: 'Expected a JSON body {batch, dry_run}' }, 400);
    const checked = checkBatch(body.batch);
    if ('error' in checked) return c.json({ error: `${STORE_REFUSES}: ${checked.error}`, field: 'batch' }, 400);
    let backlog: Backlog;
    try {
      backlog = await route.backlog(c);
    } catch (error) {
      return c.json({ error: error instanceof Error ? error.message : String(error), field: 'x-backlog-dir' }, 404);
    }
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (line: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
        try {
          const report = await backlog.import(checked.batch, {
            dryRun: body.dry_run === true,
            onProgress: (done, total) => send({ progress: [done, total] }),
          });
          send({ report });
        } catch (error) {
          const known = error instanceof BacklogError ? error : undefined;
          send({
            error: error instanceof Error ? error.message : String(error),
            ...(known?.field ? { field: known.field } : {}),
          });
        }
        controller.close();
      },
    });
    return new Response(stream, { headers: { 'content-type': 'application/x-ndjson; charset=utf-8' } });
  };
}
