import { Worker } from 'node:worker_threads';
import type { EncoderState, SentenceEncoder } from '../../search/sentence-encoder.js';
import type { EncoderReply, EncoderRequest } from './encoder-worker.js';

/**
 * The worker's heap is capped: tfjs leaves garbage between collections, and without the cap the
 * encoder's share of RSS grew to ~210 MB; with it ~155 MB (docs/notes/issue-20-spike.md). The
 * weights (88 MB) live outside the heap and are not affected.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 };
/**
 * Recent query vectors: one search across every project asks each backlog with the same words, and
 * the viewer repeats queries as people type and go back.
 */
const QUERY_MEMORY = 64;
/** A worker that dies (out of memory on a freak text) is started again this many times, then search stays static. */
const MAX_RESTARTS = 3;

interface Job {
  texts: string[];
  resolve(vectors: Float32Array[]): void;
  reject(error: Error): void;
}

/**
 * USE-lite (@energetic-ai, tfjs on the CPU) in a worker thread, so encoding never blocks the
 * event loop. One text per message: a query waits for at most one item in flight (~100 ms;
 * a job of 100 items made a query wait 12 s, measured), and queries jump the item queue.
 */
export class WorkerEncoder implements SentenceEncoder {
  readonly id = 'use-lite-512';
  readonly dimensions = 512;
  state: EncoderState = 'loading';
  loadMs = 0;
  private worker: Worker | undefined;
  private readonly queries: Job[] = [];
  private readonly items: Job[] = [];
  private inFlight: { seq: number; job: Job } | undefined;
  private seq = 0;
  private restarts = 0;
  private readonly recentQueries = new Map<string, Promise<Float32Array | undefined>>();
  private settled!: Promise<void>;
  private markSettled!: () => void;

  constructor(private readonly log: (line: string) => void = () => undefined) {
    this.settled = new Promise((resolve) => {
      this.markSettled = resolve;
    });
    this.start();
  }

  whenSettled(): Promise<void> {
    return this.settled;
  }

  /** Texts waiting or in flight. */
  get queued(): number {
    return this.queries.length + this.items.length + (this.inFlight ? 1 : 0);
  }

  async encodeQuery(text: string, deadlineMs: number): Promise<Float32Array | undefined> {
    if (this.state !== 'ready') return undefined;
    let vector = this.recentQueries.get(text);
    if (vector) this.recentQueries.delete(text);
    else vector = this.enqueueQuery(text);
    this.recentQueries.set(text, vector);
    if (this.recentQueries.size > QUERY_MEMORY)
      this.recentQueries.delete(this.recentQueries.keys().next().value as string);
    return withDeadline(vector, deadlineMs);
  }

  /**
   * A query's vector, or undefined if it failed (then forgotten, so the next search asks again).
   * A query whose caller stopped waiting still runs: the same words come back as people retype.
   */
  private enqueueQuery(text: string): Promise<Float32Array | undefined> {
    return this.enqueue(this.queries, text).vector.catch(() => {
      this.recentQueries.delete(text);
      return undefined;
    });
  }

  encodeItem(text: string): Promise<Float32Array> {
    if (this.state === 'off') return Promise.reject(new Error('the sentence encoder is off'));
    return this.enqueue(this.items, text).vector;
  }

  async close(): Promise<void> {
    this.state = 'off';
    this.rejectAll('the server is closing');
    await this.worker?.terminate();
  }

  private start(): void {
    const worker = new Worker(new URL('./encoder-worker.js', import.meta.url), { resourceLimits: WORKER_LIMITS });
    worker.unref();
    worker.on('message', (reply: EncoderReply) => this.receive(reply));
    worker.on('error', (error) => this.crashed(worker, error.message));
    worker.on('exit', () => this.crashed(worker, 'the encoder worker exited'));
    this.worker = worker;
  }

  private enqueue(queue: Job[], text: string): Job & { vector: Promise<Float32Array> } {
    let resolve!: (vectors: Float32Array[]) => void;
    let reject!: (error: Error) => void;
    const vectors = new Promise<Float32Array[]>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const job = { texts: [text], resolve, reject, vector: vectors.then((v) => v[0] as Float32Array) };
    queue.push(job);
    this.pump();
    return job;
  }

  private pump(): void {
    if (this.state !== 'ready' || this.inFlight || !this.worker) return;
    const job = this.queries.shift() ?? this.items.shift();
    if (!job) return;
    this.inFlight = { seq: ++this.seq, job };
    this.worker.postMessage({ seq: this.inFlight.seq, texts: job.texts } satisfies EncoderRequest);
  }

  private receive(reply: EncoderReply): void {
    if (reply.kind === 'ready') {
      if (this.state === 'loading') {
        const how = reply.path === 'direct' ? 'direct forward pass' : `graph executor: ${reply.note ?? 'as asked'}`;
        this.log(`backlog: sentence encoder ready in ${(reply.loadMs / 1000).toFixed(2)} s (${how})`);
      }
      this.state = 'ready';
      this.loadMs = reply.loadMs;
      this.markSettled();
      this.pump();
      return;
    }
    if (reply.kind === 'failed') {
      this.turnOff(reply.error);
      return;
    }
    const flight = this.inFlight;
    if (!flight || flight.seq !== reply.seq) return;
    this.inFlight = undefined;
    if (reply.kind === 'error') flight.job.reject(new Error(reply.error));
    else flight.job.resolve(split(reply.data, reply.dimensions));
    this.pump();
  }

  /** The text in flight is given up (it may be what killed the worker); the rest wait for the restart. */
  private crashed(worker: Worker, reason: string): void {
    if (worker !== this.worker || this.state === 'off') return;
    this.worker = undefined;
    this.inFlight?.job.reject(new Error(reason));
    this.inFlight = undefined;
    if (this.state === 'loading' || this.restarts >= MAX_RESTARTS) {
      this.turnOff(reason);
      return;
    }
    this.restarts++;
    this.state = 'loading';
    this.log(`backlog: the sentence encoder stopped (${reason}); starting it again`);
    this.start();
  }

  private turnOff(reason: string): void {
    if (this.state === 'off') return;
    this.log(`backlog: semantic search is using the static table only (the sentence encoder is off: ${reason})`);
    this.state = 'off';
    this.rejectAll(reason);
    void this.worker?.terminate();
    this.markSettled();
  }

  private rejectAll(reason: string): void {
    for (const job of [...this.queries.splice(0), ...this.items.splice(0)]) job.reject(new Error(reason));
    this.inFlight?.job.reject(new Error(reason));
    this.inFlight = undefined;
  }
}

function split(data: Float32Array, dimensions: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < data.length; i += dimensions) out.push(data.slice(i, i + dimensions));
  return out;
}

/** The value, or undefined once `ms` have passed without it. */
async function withDeadline<T>(value: Promise<T | undefined>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([value, late]);
  } finally {
    clearTimeout(timer);
  }
}
