import type { Item } from '@backlog-mcp/shared';
import { newestFirst } from '../../core/list.js';
import type { Snapshot } from '../../core/ports.js';

/**
 * Every item, newest first, brought up to date when read rather than on each write. A write
 * through the server is the newest item, so it only has to go to the front: writes since the last
 * read are queued and put there in one pass, with the versions they replaced left out. Kept up to
 * date on every write instead, a storm of 10,000 creates copied the whole list 10,000 times.
 * Anything that is not the newest (a hand edit with an old date) makes the next read sort again.
 */
export class NewestFirst {
  /** As of the last read; undefined until the first, or after an out-of-order write. */
  private sorted: readonly Item[] | undefined;
  /** Written since the last read, oldest first. */
  private newer: Item[] = [];
  /** Versions in `sorted` or `newer` that a later write or a delete replaced. */
  private readonly gone = new Set<Item>();
  /** The snapshot handed out since the last change. */
  private current: Snapshot | undefined;

  constructor(private readonly byId: ReadonlyMap<string, Item>) {}

  /**
   * The store's snapshot: a new object after each change (callers memoise on it, see relations.ts),
   * whose `items` is made when first read.
   */
  view(): Snapshot {
    if (this.current) return this.current;
    const list = this;
    let items: readonly Item[] | undefined;
    this.current = {
      byId: this.byId,
      get items() {
        items ??= list.items();
        return items;
      },
    };
    return this.current;
  }

  items(): readonly Item[] {
    if (!this.sorted) {
      this.sorted = [...this.byId.values()].sort(newestFirst);
    } else if (this.newer.length > 0 || this.gone.size > 0) {
      const front: Item[] = [];
      for (let i = this.newer.length - 1; i >= 0; i--) {
        const item = this.newer[i] as Item;
        if (!this.gone.has(item)) front.push(item);
      }
      const rest = this.gone.size > 0 ? this.sorted.filter((item) => !this.gone.has(item)) : this.sorted;
      this.sorted = front.concat(rest);
    }
    this.newer = [];
    this.gone.clear();
    return this.sorted;
  }

  /** `item` replaced `previous` (or is new). */
  written(item: Item, previous: Item | undefined): void {
    this.current = undefined;
    if (!this.sorted) return;
    // Replacing the head itself, the new version must still not sort after the old one.
    const head = this.newer.at(-1) ?? this.sorted[0];
    if (head && newestFirst(item, head) > 0) {
      this.resort();
      return;
    }
    this.newer.push(item);
    if (previous) this.gone.add(previous);
  }

  removed(item: Item): void {
    this.current = undefined;
    if (this.sorted) this.gone.add(item);
  }

  /** The next read sorts everything again. */
  resort(): void {
    this.current = undefined;
    this.sorted = undefined;
    this.newer = [];
    this.gone.clear();
  }
}
