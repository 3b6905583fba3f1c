import { Worker } from 'node:worker_threads';
import type { EncoderReply, EncoderRequest } from './encoder-worker.js';

export type EncoderState = 'loading' | 'ready' | 'off';

const ITEMS_PER_JOB = 2;

interface Job {
  texts: string[];
  resolve(vectors: Float32Array[]): void;
  reject(error: Error): void;
}

/**
 * The page-side of the encoder worker: a queue where queries go before item backlog (a person is
 * waiting on a query; items can wait), one batch in flight at a time, and a state for /health.
 * If the worker cannot load the model, the state is "off" and every call rejects: search then
 * keeps to the static table, as before.
 */
export class DeepEncoder {
  state: EncoderState = 'loading';
  dimensions = 0;
  loadMs = 0;
  private readonly worker: Worker;
  private readonly queries: Job[] = [];
  private readonly items: Job[] = [];
  private inFlight: { seq: number; job: Job } | undefined;
  private seq = 0;
  private readonly ready: Promise<void>;

  constructor(private readonly log: (line: string) => void = () => undefined) {
    this.worker = new Worker(new URL('./encoder-worker.js', import.meta.url));
    this.worker.unref();
    this.ready = new Promise((resolve) => {
      this.worker.on('message', (reply: EncoderReply) => this.receive(reply, resolve));
      this.worker.on('error', (error) => this.fail(String(error.message), resolve));
      this.worker.on('exit', () => this.fail('the encoder worker exited', resolve));
    });
  }

  /** Texts waiting to be encoded (item backlog plus queries), for /health's `pending`. */
  get pending(): number {
    return this.queries.reduce((n, j) => n + j.texts.length, 0) + this.items.reduce((n, j) => n + j.texts.length, 0);
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  /** A query: ahead of any item backlog. */
  encodeQuery(text: string): Promise<Float32Array> {
    return this.enqueue(this.queries, [text]).then((vectors) => vectors[0] as Float32Array);
  }

  /**
   * Item texts, in the background, a few per job: a query waits for at most one job in flight
   * (one 100-word item is ~120 ms of CPU; a job of 100 made a query wait 12 s, measured).
   */
  async encodeItems(texts: string[]): Promise<Float32Array[]> {
    const jobs: Promise<Float32Array[]>[] = [];
    for (let i = 0; i < texts.length; i += ITEMS_PER_JOB)
      jobs.push(this.enqueue(this.items, texts.slice(i, i + ITEMS_PER_JOB)));
    return (await Promise.all(jobs)).flat();
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private enqueue(queue: Job[], texts: string[]): Promise<Float32Array[]> {
    if (this.state === 'off') return Promise.reject(new Error('the sentence encoder is off'));
    return new Promise((resolve, reject) => {
      queue.push({ texts, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.state !== 'ready' || this.inFlight) return;
    const job = this.queries.shift() ?? this.items.shift();
    if (!job) return;
    this.inFlight = { seq: ++this.seq, job };
    this.worker.postMessage({ seq: this.inFlight.seq, texts: job.texts } satisfies EncoderRequest);
  }

  private receive(reply: EncoderReply, ready: () => void): void {
    if (reply.kind === 'ready') {
      this.state = 'ready';
      this.dimensions = reply.dimensions;
      this.loadMs = reply.loadMs;
      ready();
      this.pump();
      return;
    }
    if (reply.kind === 'failed') {
      this.fail(reply.error, ready);
      return;
    }
    const flight = this.inFlight;
    if (!flight || flight.seq !== reply.seq) return;
    this.inFlight = undefined;
    if (reply.kind === 'error') flight.job.reject(new Error(reply.error));
    else flight.job.resolve(split(reply.data, reply.dimensions));
    this.pump();
  }

  private fail(reason: string, ready: () => void): void {
    if (this.state === 'off') return;
    if (this.state === 'loading')
      this.log(`backlog: the sentence encoder is off (${reason}); search uses the static table`);
    this.state = 'off';
    for (const job of [...this.queries.splice(0), ...this.items.splice(0)]) job.reject(new Error(reason));
    this.inFlight?.job.reject(new Error(reason));
    this.inFlight = undefined;
    ready();
  }
}

function split(data: Float32Array, dimensions: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < data.length; i += dimensions) out.push(data.slice(i, i + dimensions));
  return out;
}
