import type { Item } from '@backlog-mcp/shared';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';
import { backlogCreate } from '../../src/mcp/tools/backlog-create.js';
import { backlogUpdate } from '../../src/mcp/tools/backlog-update.js';
import { call } from './servers.js';

type Updated = { id: string; item: Item; changed: string[] };
type Created = { id: string; item: Item };

/** Arguments that steer an update rather than name a field of the item. */
export const CONTROL_ARGS = ['id', 'claim', 'agent', 'force', 'if_version', 'add_labels', 'remove_labels'];
/** Create arguments an update cannot change: the ID's prefix names the type. */
export const CREATE_ONLY = ['type'];

interface Sample {
  value: unknown;
  /** What the item holds afterwards, under `field` (default: the field itself). */
  expected: unknown;
  field?: keyof Item;
  /** Fields that can never be empty are set but not cleared. */
  clearable: boolean;
}

/** A value for every item field that create or update takes. A new field without a sample fails the walk. */
function samples(ids: { epic: string; folder: string; blocker: string }, sourcePath?: string): Record<string, Sample> {
  const table: Record<string, Sample> = {
    title: { value: 'Renamed title', expected: 'Renamed title', clearable: false },
    description: { value: 'A new body', expected: 'A new body', clearable: true },
    status: { value: 'blocked', expected: 'blocked', clearable: false },
    epic_id: { value: ids.epic, expected: ids.epic, clearable: true },
    parent_id: { value: ids.folder, expected: ids.folder, clearable: true },
    blocked_by: { value: [ids.blocker], expected: [ids.blocker], clearable: true },
    priority: { value: 'low', expected: 'low', clearable: true },
    labels: { value: ['UI ', 'bug'], expected: ['ui', 'bug'], clearable: true },
    due_date: { value: '2027-01-31', expected: '2027-01-31', clearable: true },
    references: {
      value: [{ url: 'https://example.com/x' }],
      expected: [{ url: 'https://example.com/x' }],
      clearable: true,
    },
    evidence: { value: ['PR #45'], expected: ['PR #45'], clearable: true },
    blocked_reason: { value: ['waiting on review'], expected: ['waiting on review'], clearable: true },
  };
  if (sourcePath) {
    table.source_path = { value: sourcePath, expected: 'from a file\n', field: 'description', clearable: false };
  }
  return table;
}

/** Every field of both schemas that names part of an item. */
export function walkedFields(): string[] {
  const keys = new Set([...Object.keys(backlogCreate.input.shape), ...Object.keys(backlogUpdate.input.shape)]);
  return [...keys].filter((key) => !CONTROL_ARGS.includes(key) && !CREATE_ONLY.includes(key)).sort();
}

/**
 * Sets, then clears, every field through backlog_update on a real client, and checks each
 * call says what it changed and the item really changed. `sourcePath` is a file holding
 * "from a file\n" where the runtime can read local files; without it source_path is skipped.
 */
export async function walkEveryField(client: Client, sourcePath?: string): Promise<string[]> {
  const create = (args: Record<string, unknown>) => call<Created>(client, 'backlog_create', args);
  const ids = {
    epic: (await create({ title: 'walk epic', type: 'epic' })).id,
    folder: (await create({ title: 'walk folder', type: 'folder' })).id,
    blocker: (await create({ title: 'walk blocker' })).id,
  };
  const table = samples(ids, sourcePath);
  const fields = walkedFields().filter((field) => field !== 'source_path' || sourcePath);
  for (const field of fields) expect(table[field], `no sample for ${field}: add one`).toBeDefined();
  const { id } = await create({ title: 'walked' });
  for (const field of fields) {
    const sample = table[field] as Sample;
    const key = sample.field ?? (field as keyof Item);
    const set = await call<Updated>(client, 'backlog_update', { id, [field]: sample.value });
    expect(set.changed, `set ${field}`).toContain(key);
    expect(set.item[key], `set ${field}`).toEqual(sample.expected);
    if (!sample.clearable) continue;
    const cleared = await call<Updated>(client, 'backlog_update', { id, [field]: null });
    expect(cleared.changed, `clear ${field}`).toContain(key);
    const after = (await call<{ items: Item[] }>(client, 'backlog_get', { id })).items[0] as Item;
    expect(key === 'description' ? after[key] : after[key], `clear ${field}`).toEqual(
      key === 'description' ? '' : undefined,
    );
  }
  return fields;
}
