import { appendFile, readFile } from 'node:fs/promises';
import type { ActivityEntry } from '../core/activity.js';
import type { Journal } from '../core/ports.js';

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
    return journal;
  }

  async append(entry: ActivityEntry): Promise<void> {
    await appendFile(this.path, `${JSON.stringify(entry)}\n`, 'utf8');
    this.remember(entry);
  }

  async recent(options: { id?: string; limit: number }): Promise<ActivityEntry[]> {
    const source = options.id ? (this.byId.get(options.id) ?? []) : this.entries;
    return source.slice(-options.limit).reverse();
  }

  private remember(entry: ActivityEntry): void {
    this.entries.push(entry);
    if (!entry.id) return;
    const list = this.byId.get(entry.id) ?? [];
    list.push(entry);
    this.byId.set(entry.id, list);
  }
}
