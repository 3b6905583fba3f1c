import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_STREAM_LIMITS } from '../src/runtime/node/events.js';
import { localSend, type OpenStream, openLocalStream } from './support/local-http.js';
import { removeDir, startHttpServer, tempDataDir } from './support/servers.js';
import { until } from './support/wait.js';

const { perServer, perClient } = EVENT_STREAM_LIMITS;

// Raw HTTP against a real `serve`: every 127.x.y.z address reaches a server on 127.0.0.1,
// so one test process is many clients (Linux routes the whole 127.0.0.0/8 to loopback).
describe('open /events streams are capped per client and per server', () => {
  let dataDir: string;
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  const all: OpenStream[] = [];

  /** A stream that the server accepted: 200 and its `ready` event. */
  const accepted = async (localAddress: string) => {
    const stream = await openLocalStream(server.url, { localAddress });
    all.push(stream);
    expect(stream.status, stream.body()).toBe(200);
    expect(await stream.waitFor('event: ready')).toBe(true);
    return stream;
  };

  /** A stream that the server refused: 503, Retry-After and a body naming the limit. */
  const refused = async (localAddress: string) => {
    const stream = await openLocalStream(server.url, { localAddress });
    all.push(stream);
    await stream.closed;
    expect(stream.status, stream.body()).toBe(503);
    expect(String(stream.headers['retry-after'])).toMatch(/^[1-9]\d*$/);
    expect(stream.headers['content-type']).toContain('application/json');
    return JSON.parse(stream.body()) as { error: string };
  };

  /** Waits until the server counts `count` open streams (/health), i.e. closed ones were let go. */
  const openCountIs = async (count: number) => {
    const health = async () =>
      (JSON.parse((await localSend(server.url, '/health')).body) as { event_streams?: number }).event_streams;
    const seen = await until(health, (open) => open === count);
    if (seen !== count) throw new Error(`the server still counts ${String(seen)} open event streams, not ${count}`);
  };

  const closeAll = async () => {
    for (const stream of all.splice(0)) stream.close();
    await openCountIs(0);
  };

  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startHttpServer(dataDir);
  });

  afterAll(async () => {
    for (const stream of all) stream.close();
    await server?.stop();
    if (dataDir) await removeDir(dataDir);
  });

  it(`refuses a client's stream number ${perClient + 1} with 503 and Retry-After; others still get in; closing frees slots`, async () => {
    const mine: OpenStream[] = [];
    for (let i = 0; i < perClient; i++) mine.push(await accepted('127.0.0.1'));
    await openCountIs(perClient);
    const refusal = await refused('127.0.0.1');
    expect(refusal.error).toContain(`${perClient} open event streams per client`);
    // Another address is another client.
    await accepted('127.0.0.2');
    // The rest of the server is unaffected.
    expect((await localSend(server.url, '/api/items')).status).toBe(200);

    for (const stream of mine.splice(0, 5)) stream.close();
    await openCountIs(perClient - 5 + 1);
    for (let i = 0; i < 5; i++) await accepted('127.0.0.1');
    await refused('127.0.0.1');
    await closeAll();
  });

  it(`refuses every client once ${perServer} streams are open, until some close`, async () => {
    let client = 0;
    const address = () => `127.0.1.${client + 1}`;
    for (let open = 0; open < perServer; open++) {
      if (open > 0 && open % perClient === 0) client++;
      await accepted(address());
    }
    await openCountIs(perServer);
    client++;
    const refusal = await refused(address());
    expect(refusal.error).toContain(`${perServer} open event streams`);
    expect(refusal.error).toContain('server');

    for (const stream of all.filter((s) => s.status === 200).slice(0, 3)) stream.close();
    await openCountIs(perServer - 3);
    for (let i = 0; i < 3; i++) await accepted(address());
    await refused(address());
    await closeAll();
  });
});
