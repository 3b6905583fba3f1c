import { handleWorkerRequest } from './app.js';
import type { Env } from './config.js';

/** The Cloudflare Worker: `wrangler deploy` bundles this file (see wrangler.jsonc). */
export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    try {
      return await handleWorkerRequest(request, env);
    } catch (error) {
      // Never echo secrets or stack traces; the log gets the message only.
      console.error(`backlog-mcp worker: ${error instanceof Error ? error.message : String(error)}`);
      return new Response(JSON.stringify({ error: 'Internal error' }), {
        status: 500,
        headers: { 'content-type': 'application/json' },
      });
    }
  },
};
