import { appendFileSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import type { Item } from '@backlog-mcp/shared';
import type { ActivityEntry } from '../../core/activity.js';
import type { Journal } from '../../core/ports.js';

/**
 * The activity journal as JSON lines: append-only, greppable, and cheap to
 * write. Memory keeps the entries so timelines need no file reads.
 */
export class JsonlJournal implements Journal {
  private readonly entries: ActivityEntry[] = [];
  private readonly byId = new Map<string, ActivityEntry[]>();

  private constructor(private readonly path: string) {}

  static async open(path: string, log: (line: string) => void): Promise<JsonlJournal> {
    const journal = new JsonlJournal(path);
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        journal.remember(JSON.parse(line) as ActivityEntry);
      } catch {
        skipped++; // a line cut short by a crash; the rest of the journal is still good
      }
    }
    if (skipped > 0) log(`backlog: skipped ${skipped} unreadable line(s) in ${path}`);
    // A crash mid-append leaves a line without its newline: end it, or the next entry would be glued to it and lost.
    if (text.length > 0 && !text.endsWith('\n')) await appendFile(path, '\n', 'utf8');
    return journal;
  }

  async append(entry: ActivityEntry): Promise<void> {
    // One short line: a synchronous append costs less than a round trip through the thread pool.
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`, 'utf8');
    this.remember(entry);
  }

  async recent(options: { id?: string; limit: number }): Promise<ActivityEntry[]> {
    const source = options.id ? (this.byId.get(options.id) ?? []) : this.entries;
    return source.slice(-options.limit).reverse();
  }

  async reconcile(items: readonly Item[], options: { at: string; unreadable: readonly string[] }): Promise<number> {
    const last = new Map<string, ActivityEntry>();
    for (const entry of this.entries) if (entry.id) last.set(entry.id, entry);
    const missed: ActivityEntry[] = [];
    const present = new Set<string>();
    for (const item of items) {
      present.add(item.id);
      const seen = last.get(item.id);
      if (!seen || seen.action === 'deleted') {
        missed.push({ at: options.at, tool: 'reconcile', action: 'created', id: item.id, summary: 'found on disk' });
      } else if (item.updated_at > seen.at) {
        missed.push({ at: options.at, tool: 'reconcile', action: 'updated', id: item.id, summary: 'changed on disk' });
      }
    }
    const unreadable = new Set(options.unreadable);
    for (const [id, seen] of last) {
      if (seen.action === 'deleted' || present.has(id) || unreadable.has(id)) continue;
      missed.push({ at: options.at, tool: 'reconcile', action: 'deleted', id, summary: 'gone from disk' });
    }
    if (missed.length === 0) return 0;
    await appendFile(this.path, missed.map((entry) => `${JSON.stringify(entry)}\n`).join(''), 'utf8');
    for (const entry of missed) this.remember(entry);
    return missed.length;
  }

  private remember(entry: ActivityEntry): void {
    this.entries.push(entry);
    if (!entry.id) return;
    const list = this.byId.get(entry.id) ?? [];
    list.push(entry);
    this.byId.set(entry.id, list);
  }
}
