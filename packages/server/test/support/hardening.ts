import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Item } from '@backlog-mcp/shared';
import type { ActivityEntry } from '../../src/core/activity.js';
import { decodeItem } from '../../src/format/item-markdown.js';

/**
 * Shared pieces of the hardening tests. `BACKLOG_STRESS=1` (npm run test:stress) runs
 * the full counts; plain `npm test` runs reduced ones that still prove each property.
 */
export const STRESS = process.env.BACKLOG_STRESS === '1';

/** Full count under test:stress, the reduced count otherwise. */
export function scaled(full: number, ci: number): number {
  const override = Number(process.env.BACKLOG_STRESS_SCALE);
  if (Number.isFinite(override) && override > 0) return Math.max(1, Math.round(full * override));
  return STRESS ? full : ci;
}

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with its seed. */
export function rng(seed: number): { next(): number; int(n: number): number; pick<T>(list: readonly T[]): T } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)] as never,
  };
}

export interface DiskState {
  items: Map<string, Item>;
  /** Item files (not dot-files) that do not decode, with the reason. */
  corrupt: Map<string, string>;
  /** Dot-files left in tasks/ (temp files). */
  dotFiles: string[];
  /** Every other name in tasks/. */
  names: string[];
}

/** Parses every file under tasks/ with the real codec, the way a restart would. */
export async function readDisk(dataDir: string): Promise<DiskState> {
  const dir = join(dataDir, 'tasks');
  const state: DiskState = { items: new Map(), corrupt: new Map(), dotFiles: [], names: [] };
  for (const name of (await readdir(dir)).sort()) {
    if (name.startsWith('.')) {
      state.dotFiles.push(name);
      continue;
    }
    state.names.push(name);
    const id = /^([A-Z]{4}-\d{4,})\.md$/.exec(name)?.[1];
    if (!id) {
      state.corrupt.set(name, 'not an item file name');
      continue;
    }
    const file = join(dir, name);
    const decoded = decodeItem(await readFile(file, 'utf8'), id, (await stat(file)).mtime.toISOString());
    if (decoded.ok) state.items.set(id, decoded.item);
    else state.corrupt.set(name, decoded.error);
  }
  return state;
}

/** The activity journal's entries; a line that does not parse fails the caller's check. */
export async function readJournal(dataDir: string): Promise<{ entries: ActivityEntry[]; broken: string[] }> {
  let text = '';
  try {
    text = await readFile(join(dataDir, '.state', 'activity.jsonl'), 'utf8');
  } catch {
    return { entries: [], broken: [] };
  }
  const entries: ActivityEntry[] = [];
  const broken: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as ActivityEntry);
    } catch {
      broken.push(line);
    }
  }
  return { entries, broken };
}

/** The journal's last word on each item. */
export function lastEntryById(entries: readonly ActivityEntry[]): Map<string, ActivityEntry> {
  const last = new Map<string, ActivityEntry>();
  for (const entry of entries) if (entry.id) last.set(entry.id, entry);
  return last;
}

/** write_resource's append, as the core defines it (tested in text-edit.test.ts). */
export function appendText(content: string, text: string): string {
  if (content.length === 0 || content.endsWith('\n')) return content + text;
  return `${content}\n${text}`;
}
