import { type IncomingMessage, request } from 'node:http';
import { Readable } from 'node:stream';

/** Statuses whose Response may not have a body. */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * The `fetch` the bridge gives the SDK's HTTP transport: node:http on a fresh connection per
 * request (what `connection: close` asked of fetch before, so a dead server still fails plainly
 * with ECONNREFUSED). Undici's fetch cost ~1.5 ms more CPU and ~3 ms more time per call on the
 * 2-core VM, most of what the bridge added to every call (docs/benchmarks.md). Plain http only:
 * the bridge talks to its own server on loopback.
 */
export function nodeFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.protocol !== 'http:') return Promise.reject(new TypeError(`nodeFetch: only http: URLs, not ${url.protocol}`));
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return Promise.reject(new TypeError('nodeFetch: only a text body'));
  }
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const method = init.method ?? 'GET';
    let response: IncomingMessage | undefined;
    const req = request(url, { method, headers, agent: false }, (res) => {
      response = res;
      const answer = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (Array.isArray(value)) for (const one of value) answer.append(name, one);
        else if (value !== undefined) answer.set(name, value);
      }
      const status = res.statusCode ?? 502;
      const empty = NO_BODY.has(status) || method === 'HEAD';
      if (empty) res.resume();
      const stream = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
      resolve(new Response(stream, { status, statusText: res.statusMessage ?? '', headers: answer }));
    });
    // An abort (the SDK closing a stream) ends the request and its answer with the signal's reason, as fetch does.
    const abort = () => {
      response?.destroy(signal?.reason);
      req.destroy(signal?.reason);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
    req.once('close', () => signal?.removeEventListener('abort', abort));
    req.once('error', reject);
    req.end(body ?? undefined);
  });
}
