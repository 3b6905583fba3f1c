import { Mutex } from './mutex.js';
import type { Durability } from './ports.js';

/**
 * One writer at a time, so relation checks (parents, cycles) stay true while a write lands; but
 * the wait for the disk happens after the lock is released. A writer is answered only once its
 * own writes are durable, and the next writer's work overlaps that wait, which lets the store
 * make many writes durable with one round of fsyncs (group commit, ADR 0021).
 */
export class WriteGate {
  private readonly lock = new Mutex();

  constructor(private readonly durability: Durability | undefined) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    const durability = this.durability;
    if (!durability) return this.lock.run(task);
    let from = 0;
    let to = 0;
    const outcome = await this.lock.run(async () => {
      from = durability.mark();
      try {
        return { ok: true as const, value: await task() };
      } catch (error) {
        return { ok: false as const, error };
      } finally {
        to = durability.mark();
      }
    });
    // A failed write may have written (and undone) something: the caller hears of the failure only
    // once what it left on disk is settled, but the failure is what it is told.
    if (!outcome.ok) {
      await durability.durable(from, to).catch(() => undefined);
      throw outcome.error;
    }
    await durability.durable(from, to);
    return outcome.value;
  }
}
