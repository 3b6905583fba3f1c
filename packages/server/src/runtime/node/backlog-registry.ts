import { realpathSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { STATUSES } from '@backlog-mcp/shared';
import type { NodeBacklog } from './backlog.js';
import { looksLikeBacklog, projectOf } from './backlog-location.js';
import { EventHub, StreamAdmission } from './events.js';
import type { KnownBacklog, KnownBacklogs } from './known-backlogs.js';

/** A session named a folder the server will not open: the message says which and what to do. */
export class BacklogRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BacklogRefused';
  }
}

/** One open backlog with what serves it: its store, index, watcher and journal (`node`), and its change stream. */
export interface OpenBacklog {
  dir: string;
  /** The folder results and the viewer name it by (projectOf). */
  project: string;
  global: boolean;
  node: NodeBacklog;
  hub: EventHub;
}

/** A hold on an open backlog: while any is held (an MCP session, a viewer's stream) it is not closed. */
export interface BacklogLease {
  backlog: OpenBacklog;
  release(): void;
}

export interface BacklogSummary {
  dir: string;
  project: string;
  global: boolean;
  open: boolean;
  /** MCP sessions bound to it now. */
  sessions: number;
  /** Viewer event streams following it now. */
  streams: number;
  last_used?: string;
  counts?: KnownBacklog['counts'];
}

/** What holds a backlog open. */
export type HolderKind = 'session' | 'stream';

interface Slot {
  opening: Promise<OpenBacklog>;
  holders: Record<HolderKind, number>;
  lastUsed: number;
  closing?: Promise<void>;
  /** Set once `opening` has resolved: the backlog's index can answer. */
  ready?: boolean;
}

export interface RegistryOptions {
  /** The server's data folder: its global backlog, opened at start and never closed for idleness. */
  globalDir: string;
  /** Opens one backlog; `project` is the folder it belongs to (projectOf), `global` for the server's own. */
  open: (dir: string, where: { project: string; global: boolean }) => Promise<NodeBacklog>;
  known: KnownBacklogs;
  /** A backlog with no holder and no request for this long is closed (default 10 minutes). */
  idleCloseMs: number;
  /**
   * Memory follows items (6–8 MB of RSS per 1,000, docs/benchmarks.md): above this many in
   * open backlogs, one opened only to answer `borrow` closes once it has.
   */
  maxOpenItems: number;
  log: (line: string) => void;
  /** Runs after backlogs were closed for idleness (Node: a full GC, so the memory really goes back). */
  afterIdleClose?: () => void;
}

/**
 * Every backlog the server has open, by canonical folder (DESIGN: runtime/node sessions → registry).
 * Backlogs open on first use and close after `idleCloseMs` without a holder, giving their memory
 * back; the core inside each knows nothing of the others.
 */
export class BacklogRegistry {
  private readonly slots = new Map<string, Slot>();
  private readonly timer: NodeJS.Timeout;
  private collecting: NodeJS.Timeout | undefined;
  readonly globalDir: string;
  /** The caps on event streams, across all backlogs. */
  readonly admission = new StreamAdmission();

  constructor(private readonly options: RegistryOptions) {
    this.globalDir = canonical(options.globalDir);
    this.timer = setInterval(() => this.closeIdle(), Math.max(50, Math.min(60_000, options.idleCloseMs / 4)));
    this.timer.unref();
  }

  /**
   * The canonical folder for what a client asked, or BacklogRefused. Only folders that exist and
   * hold a backlog are accepted: a request never creates one (that is `backlog-mcp init`).
   */
  resolve(asked: string | undefined): string {
    if (asked === undefined || asked === '') return this.globalDir;
    if (!isAbsolute(asked)) {
      throw new BacklogRefused(`The backlog folder must be an absolute path; received ${JSON.stringify(asked)}.`);
    }
    const dir = canonical(asked);
    if (dir === this.globalDir) return dir;
    if (!looksLikeBacklog(dir)) {
      throw new BacklogRefused(
        `${asked} is not a backlog folder (it does not exist, or is neither named .backlog nor holds tasks/). ` +
          'Run "npx backlog-mcp init" in the project to create its .backlog/ folder.',
      );
    }
    return dir;
  }

  /** Holds the backlog open until release() (an MCP session, an event stream). */
  async acquire(dir: string, kind: HolderKind): Promise<BacklogLease> {
    const slot = await this.slotFor(dir);
    slot.holders[kind]++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      slot.holders[kind]--;
      slot.lastUsed = Date.now();
    };
    try {
      return { backlog: await slot.opening, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** For one request: opens the backlog if needed and counts as a use. */
  async use(dir: string): Promise<OpenBacklog> {
    const slot = await this.slotFor(dir);
    return slot.opening;
  }

  /**
   * For a question put to many backlogs (`scope: "all"`): like `use`, but a backlog opened for it
   * closes again once it has answered when the open backlogs hold more than `maxOpenItems` items
   * and nobody used it since, so asking 200 remembered projects does not keep them all in memory.
   */
  async borrow<T>(dir: string, question: (open: OpenBacklog) => Promise<T>): Promise<T> {
    const opened = !this.slots.has(dir);
    const slot = await this.slotFor(dir);
    const lastUsed = slot.lastUsed;
    try {
      return await question(await slot.opening);
    } finally {
      const untouched = slot.lastUsed === lastUsed && slot.holders.session + slot.holders.stream === 0;
      if (opened && untouched && this.openItems() > this.options.maxOpenItems && dir !== this.globalDir) {
        // Waited for, so a search holds no more than it says: the next backlog opens once this one is closed.
        await this.close(dir);
        this.options.log(
          `backlog: closed ${dir} (opened for a search of all projects; open backlogs hold more than ${this.options.maxOpenItems} items)`,
        );
        this.collectSoon();
      }
    }
  }

  /** True when `dir`'s backlog is open or opening now. */
  isOpen(dir: string): boolean {
    const slot = this.slots.get(dir);
    return slot !== undefined && !slot.closing;
  }

  /** One full collection after a run of closes, not one per backlog closed. */
  private collectSoon(): void {
    if (this.collecting) return;
    this.collecting = setTimeout(() => {
      this.collecting = undefined;
      this.options.afterIdleClose?.();
    }, 100);
    this.collecting.unref();
  }

  /** Items in the open backlogs, as counted when each opened. */
  private openItems(): number {
    let items = 0;
    for (const [dir, slot] of this.slots) if (!slot.closing) items += this.options.known.get(dir)?.counts?.total ?? 0;
    return items;
  }

  /** True once `dir`'s backlog is open and its search index built (what /health calls `ready`). */
  isReady(dir: string): boolean {
    return this.slots.get(dir)?.ready === true;
  }

  /** The open backlog for `dir`, without opening it. */
  peek(dir: string): Promise<OpenBacklog> | undefined {
    const slot = this.slots.get(dir);
    return slot && !slot.closing ? slot.opening : undefined;
  }

  /** The backlogs open now (not those opening or closing). */
  async openBacklogs(): Promise<OpenBacklog[]> {
    const open = await Promise.all(
      [...this.slots.values()].filter((slot) => !slot.closing).map((slot) => slot.opening.catch(() => undefined)),
    );
    return open.filter((backlog): backlog is OpenBacklog => backlog !== undefined);
  }

  /** Every backlog served now or remembered from before, the global one first. */
  summaries(): BacklogSummary[] {
    const dirs = new Set([this.globalDir, ...this.options.known.all().map((entry) => entry.dir), ...this.slots.keys()]);
    return [...dirs].map((dir) => {
      const slot = this.slots.get(dir);
      const known = this.options.known.get(dir);
      const summary: BacklogSummary = {
        dir,
        project: projectOf(dir, this.globalDir),
        global: dir === this.globalDir,
        open: slot !== undefined && !slot.closing,
        sessions: slot?.holders.session ?? 0,
        streams: slot?.holders.stream ?? 0,
      };
      if (known?.last_used) summary.last_used = known.last_used;
      if (known?.counts) summary.counts = known.counts;
      return summary;
    });
  }

  /** The summaries, with live counts for the open backlogs (for /health, `status` and the viewer). */
  async details(): Promise<BacklogSummary[]> {
    return Promise.all(
      this.summaries().map(async (summary) => {
        const open = summary.open ? await this.peek(summary.dir)?.catch(() => undefined) : undefined;
        return open ? { ...summary, counts: await countsOf(open) } : summary;
      }),
    );
  }

  /** Remembered backlogs whose folders still hold a backlog (for scope "all"); others are forgotten. */
  knownDirs(): string[] {
    const dirs: string[] = [];
    for (const summary of this.summaries()) {
      if (summary.global || looksLikeBacklog(summary.dir)) dirs.push(summary.dir);
      else this.options.known.forget(summary.dir);
    }
    return dirs;
  }

  async closeAll(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.slots.keys()].map((dir) => this.close(dir)));
    await this.options.known.flushed();
  }

  private async slotFor(dir: string): Promise<Slot> {
    let slot = this.slots.get(dir);
    if (slot?.closing) {
      await slot.closing;
      slot = this.slots.get(dir);
    }
    if (!slot) {
      slot = { opening: this.openBacklog(dir), holders: { session: 0, stream: 0 }, lastUsed: Date.now() };
      this.slots.set(dir, slot);
      const opened = slot;
      opened.opening.then(
        () => {
          opened.ready = true;
        },
        () => {
          if (this.slots.get(dir) === opened) this.slots.delete(dir);
        },
      );
    }
    slot.lastUsed = Date.now();
    return slot;
  }

  private async openBacklog(dir: string): Promise<OpenBacklog> {
    const started = Date.now();
    const global = dir === this.globalDir;
    const node = await this.options.open(dir, { project: projectOf(dir, this.globalDir), global });
    const open: OpenBacklog = {
      dir,
      project: projectOf(dir, this.globalDir),
      global,
      node,
      hub: new EventHub(node.backlog.events, this.admission),
    };
    this.options.known.remember(dir, await countsOf(open));
    if (!global) this.options.log(`backlog: opened ${dir} in ${Date.now() - started} ms`);
    return open;
  }

  private closeIdle(): void {
    const now = Date.now();
    const closing: Promise<void>[] = [];
    for (const [dir, slot] of this.slots) {
      if (dir === this.globalDir || slot.holders.session + slot.holders.stream > 0 || slot.closing) continue;
      if (now - slot.lastUsed >= this.options.idleCloseMs) {
        closing.push(this.close(dir).then(() => this.options.log(`backlog: closed ${dir} (idle)`)));
      }
    }
    if (closing.length > 0) void Promise.all(closing).then(() => this.options.afterIdleClose?.());
  }

  private async close(dir: string): Promise<void> {
    const slot = this.slots.get(dir);
    if (!slot || slot.closing) return slot?.closing;
    slot.closing = (async () => {
      try {
        const open = await slot.opening;
        this.options.known.remember(dir, await countsOf(open));
        await open.node.close();
      } catch {
        // it never opened: nothing to close
      } finally {
        this.slots.delete(dir);
      }
    })();
    return slot.closing;
  }
}

function canonical(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

async function countsOf(open: OpenBacklog): Promise<KnownBacklog['counts']> {
  const { total, counts } = await open.node.backlog.list({ status: [...STATUSES], counts: true, limit: 1 });
  return { total, by_status: counts?.by_status ?? {} };
}
