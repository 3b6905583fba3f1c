import { VECTOR_KERNELS_WASM } from './vector-kernels-wasm.js';

/**
 * Where a vector index keeps its rows and how it scores them all against a query. The scan is the
 * whole cost of vector search, so it runs in WebAssembly SIMD (vector-kernels.wat) when the
 * runtime allows; otherwise (no SIMD, or a host that forbids compiling code, like Cloudflare
 * Workers) the same loops run in JavaScript, ~20× slower.
 */
export interface RowStore<Rows extends Int8Array | Float32Array> {
  /** The rows, one after another (a view: valid until the next `reserve`). */
  readonly rows: Rows;
  /** Makes room for at least `count` rows, keeping those there. */
  reserve(count: number): void;
  /**
   * The dot product of each of the first `count` rows with `query` (a view, valid until the next
   * call). int8 rows: `query` is already divided by their scale, so scores come out as cosines.
   */
  score(count: number, query: Float32Array): Float32Array;
}

export type RowKind = 'int8' | 'float32';
/** `wasm` falls back to `js` where the kernels cannot run; tests ask for `js` to compare the two. */
export type RowEngine = 'wasm' | 'js';

export function createRowStore(
  kind: 'int8',
  dimensions: number,
  capacity: number,
  engine?: RowEngine,
): RowStore<Int8Array>;
export function createRowStore(
  kind: 'float32',
  dimensions: number,
  capacity: number,
  engine?: RowEngine,
): RowStore<Float32Array>;
export function createRowStore(
  kind: RowKind,
  dimensions: number,
  capacity: number,
  engine: RowEngine = 'wasm',
): RowStore<Int8Array> | RowStore<Float32Array> {
  const wasm = engine === 'wasm' ? kernels() : undefined;
  const bytesPerValue = kind === 'int8' ? 1 : 4;
  // The kernels step 16 bytes at a time through a row.
  if (wasm && (dimensions * bytesPerValue) % 16 === 0) {
    return kind === 'int8'
      ? new WasmRows<Int8Array>(wasm, 'int8', dimensions, capacity)
      : new WasmRows<Float32Array>(wasm, 'float32', dimensions, capacity);
  }
  return kind === 'int8'
    ? new JsRows<Int8Array>(Int8Array, dimensions, capacity)
    : new JsRows<Float32Array>(Float32Array, dimensions, capacity);
}

interface KernelExports {
  memory: WebAssembly.Memory;
  scoresInt8(rows: number, count: number, rowBytes: number, query: number, out: number, scale: number): void;
  scoresF32(rows: number, count: number, rowBytes: number, query: number, out: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** A fresh instance (each store owns its memory), or undefined where the kernels cannot run. */
function kernels(): KernelExports | undefined {
  if (compiled === undefined) {
    try {
      const bytes = Uint8Array.from(atob(VECTOR_KERNELS_WASM), (c) => c.charCodeAt(0));
      compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  if (!compiled) return undefined;
  try {
    return new WebAssembly.Instance(compiled).exports as unknown as KernelExports;
  } catch {
    return undefined;
  }
}

const PAGE = 65_536;
/** int8 queries are scaled to int16 this far: exact enough (1/32767) and no overflow (see the .wat). */
const INT16_RANGE = 32_767;

type TypedArrayOf<Rows> = Rows extends Int8Array ? Int8ArrayConstructor : Float32ArrayConstructor;

/**
 * Rows in a WebAssembly memory laid out as [query | rows | scores]. Growing the memory moves
 * nothing (rows stay at their offset; scores are scratch), but detaches every view, so views are
 * made again after each `reserve`.
 */
class WasmRows<Rows extends Int8Array | Float32Array> implements RowStore<Rows> {
  rows!: Rows;
  private capacity = 0;
  private readonly rowBytes: number;
  private readonly rowsAt: number;

  constructor(
    private readonly wasm: KernelExports,
    private readonly kind: RowKind,
    private readonly dimensions: number,
    capacity: number,
  ) {
    this.rowBytes = dimensions * (kind === 'int8' ? 1 : 4);
    this.rowsAt = Math.ceil((dimensions * 4) / 16) * 16;
    this.reserve(Math.max(1, capacity));
  }

  reserve(count: number): void {
    if (count <= this.capacity && this.rows) return;
    const capacity = Math.max(count, this.capacity * 2);
    const needed = this.rowsAt + capacity * (this.rowBytes + 4);
    const { memory } = this.wasm;
    if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    this.capacity = capacity;
    const View = (this.kind === 'int8' ? Int8Array : Float32Array) as TypedArrayOf<Rows>;
    this.rows = new View(memory.buffer, this.rowsAt, capacity * this.dimensions) as Rows;
  }

  score(count: number, query: Float32Array): Float32Array {
    const buffer = this.wasm.memory.buffer;
    const out = this.rowsAt + this.capacity * this.rowBytes;
    if (this.kind === 'int8') {
      let largest = 0;
      for (let d = 0; d < this.dimensions; d++) largest = Math.max(largest, Math.abs(query[d] as number));
      const scale = largest > 0 ? INT16_RANGE / largest : 0;
      const q = new Int16Array(buffer, 0, this.dimensions);
      for (let d = 0; d < this.dimensions; d++) q[d] = Math.round((query[d] as number) * scale);
      this.wasm.scoresInt8(this.rowsAt, count, this.rowBytes, 0, out, scale > 0 ? 1 / scale : 0);
    } else {
      new Float32Array(buffer, 0, this.dimensions).set(query.subarray(0, this.dimensions));
      this.wasm.scoresF32(this.rowsAt, count, this.rowBytes, 0, out);
    }
    return new Float32Array(buffer, out, count);
  }
}

/** The same in plain typed arrays, for runtimes without the kernels. */
class JsRows<Rows extends Int8Array | Float32Array> implements RowStore<Rows> {
  rows: Rows;
  private scores = new Float32Array(0);

  constructor(
    private readonly View: TypedArrayOf<Rows>,
    private readonly dimensions: number,
    capacity: number,
  ) {
    this.rows = new View(Math.max(1, capacity) * dimensions) as Rows;
  }

  reserve(count: number): void {
    if (count * this.dimensions <= this.rows.length) return;
    const next = new this.View(Math.max(count * this.dimensions, this.rows.length * 2)) as Rows;
    next.set(this.rows);
    this.rows = next;
  }

  score(count: number, query: Float32Array): Float32Array {
    if (this.scores.length < count) this.scores = new Float32Array(Math.max(count, this.scores.length * 2));
    const rows = this.rows;
    const dims = this.dimensions;
    // Four running sums let the CPU overlap them.
    for (let row = 0; row < count; row++) {
      const base = row * dims;
      let a = 0;
      let b = 0;
      let c = 0;
      let e = 0;
      let d = 0;
      for (; d + 3 < dims; d += 4) {
        a += (rows[base + d] as number) * (query[d] as number);
        b += (rows[base + d + 1] as number) * (query[d + 1] as number);
        c += (rows[base + d + 2] as number) * (query[d + 2] as number);
        e += (rows[base + d + 3] as number) * (query[d + 3] as number);
      }
      for (; d < dims; d++) a += (rows[base + d] as number) * (query[d] as number);
      this.scores[row] = a + b + c + e;
    }
    return this.scores.subarray(0, count);
  }
}
