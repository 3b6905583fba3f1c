import type { Item } from '@backlog-mcp/shared';
import type { Actor } from '../activity.js';
import { type BacklogCore, timestamp } from '../backlog-core.js';
import { recordWrite } from '../change-feed.js';
import { BacklogError, conflict, unavailable } from '../errors.js';
import type { Store } from '../ports.js';
import type { ImportBatch } from './imported-item.js';
import { type ImportPlan, planImport } from './plan.js';

/** What an import did (or, on a dry run, would do). */
export interface ImportReport {
  system: string;
  source: string;
  dry_run: boolean;
  created: { id: string; type: string; title: string; source_id: string }[];
  updated: { id: string; title: string; fields: string[]; source_id: string }[];
  unchanged: number;
  /** IDs of items an earlier import of this source made that it no longer holds (left as they are). */
  not_in_source: string[];
  warnings: string[];
}

export interface ImportOptions {
  dryRun: boolean;
  /** Called as items are written: a terminal shows a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Plans and applies an import under the backlog's write lock, all or nothing: every file is
 * written before anything is indexed, journalled or announced, and if one write fails, the ones
 * already made are undone, so the backlog is left exactly as it was. A crash part-way is undone
 * the same way when the backlog next opens (Store.beginBatch).
 */
export async function importBatch(
  core: BacklogCore,
  batch: ImportBatch,
  options: ImportOptions,
): Promise<ImportReport> {
  const { store } = core.deps;
  const { highestSeq, createExact } = store;
  if (!highestSeq || !createExact) {
    throw unavailable('import: this backlog cannot take imports here; import into a local backlog and sync it.');
  }
  return core.writes.run(async () => {
    const { items } = await store.snapshot();
    const plan = planImport(batch, { items, highestSeq: (type) => highestSeq.call(store, type), now: timestamp(core) });
    if (!options.dryRun) {
      await writeAll(core, plan, createExact.bind(store), options.onProgress);
      // One actor for the whole import, naming the tool the items came from.
      await announce(core, batch, plan, { tool: 'import', name: `import:${batch.system}` });
    }
    return reportOf(batch, plan, options.dryRun);
  });
}

type CreateExact = (item: Item, options?: { deferSync?: boolean }) => Promise<boolean>;

async function writeAll(
  core: BacklogCore,
  plan: ImportPlan,
  createExact: CreateExact,
  onProgress?: (done: number, total: number) => void,
) {
  const { store } = core.deps;
  const total = plan.creates.length + plan.updates.length;
  const created: string[] = [];
  const updated: Item[] = [];
  let done = 0;
  const tick = () => {
    done++;
    if (onProgress && (done % 50 === 0 || done === total)) onProgress(done, total);
  };
  const from = store.durability?.mark() ?? 0;
  const intent =
    total > 0
      ? await store.beginBatch?.({ creates: plan.creates, updates: plan.updates.map((u) => u.after) })
      : undefined;
  const end = () => endOnceDurable(store, from, intent);
  try {
    for (const item of plan.creates) {
      if (!(await naming(item, () => createExact(item, { deferSync: true })))) {
        throw conflict(
          `import: ${item.id} was taken by another writer while importing; nothing was imported. Run the import again.`,
          'id',
        );
      }
      created.push(item.id);
      tick();
    }
    for (const { after, before } of plan.updates) {
      await naming(after, () => store.save(after));
      updated.push(before);
      tick();
    }
    // One flush for the whole batch; a crash before its end is undone at the next open (the intent).
    await store.syncItems?.(created);
  } catch (error) {
    await undo(core, created, updated);
    await end().catch(() => undefined); // left for the next open when the undo did not reach the disk
    throw error;
  }
  await end();
}

/** The intent goes only once every write the batch made (or undid) is on disk: saves are group-committed. */
async function endOnceDurable(store: Store, from: number, intent: { end(): Promise<void> } | undefined) {
  if (store.durability) await store.durability.durable(from, store.durability.mark());
  await intent?.end();
}

/** A write the store refuses names the source item it came from: that is what the user can fix. */
async function naming<T>(item: Item, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof BacklogError)) throw error;
    const source = String((item.extra?.source as { id?: string } | undefined)?.id ?? item.id);
    throw new BacklogError(
      error.kind,
      `${source} (would be ${item.id}): ${error.message} Nothing was imported.`,
      error.field,
    );
  }
}

/** Best effort, in reverse: the new files go, the updated ones get their previous content back. */
async function undo(core: BacklogCore, created: readonly string[], updated: readonly Item[]): Promise<void> {
  const { store } = core.deps;
  for (const id of [...created].reverse()) await store.remove(id).catch(() => undefined);
  for (const before of [...updated].reverse()) {
    const current = await store.get(before.id).catch(() => undefined);
    await store.save({ ...before, version: (current?.version ?? before.version) + 1 }).catch(() => undefined);
  }
}

/** Once every file is written: the index, the journal (one actor for the whole import) and the live feed. */
async function announce(core: BacklogCore, batch: ImportBatch, plan: ImportPlan, actor: Actor): Promise<void> {
  const at = timestamp(core);
  const from = (item: Item) =>
    `from ${batch.system} ${String((item.extra?.source as { id?: string } | undefined)?.id ?? '')}`.trim();
  for (const item of plan.creates) {
    await recordWrite(
      core,
      { kind: 'created', id: item.id, item, tool: actor.tool, actor: actor.name, at },
      {
        at,
        tool: actor.tool,
        action: 'created',
        id: item.id,
        actor: actor.name,
        summary: `${item.type} "${item.title}" ${from(item)}`,
      },
    );
  }
  for (const { after, fields } of plan.updates) {
    await recordWrite(
      core,
      { kind: 'updated', id: after.id, item: after, fields, tool: actor.tool, actor: actor.name, at },
      { at, tool: actor.tool, action: 'updated', id: after.id, fields, actor: actor.name, summary: from(after) },
    );
  }
}

function reportOf(batch: ImportBatch, plan: ImportPlan, dryRun: boolean): ImportReport {
  const sourceId = (item: Item) => String((item.extra?.source as { id?: string } | undefined)?.id ?? '');
  return {
    system: batch.system,
    source: batch.label,
    dry_run: dryRun,
    created: plan.creates.map((item) => ({
      id: item.id,
      type: item.type,
      title: item.title,
      source_id: sourceId(item),
    })),
    updated: plan.updates.map(({ after, fields }) => ({
      id: after.id,
      title: after.title,
      fields,
      source_id: sourceId(after),
    })),
    unchanged: plan.unchanged,
    not_in_source: plan.notInSource,
    warnings: plan.warnings,
  };
}
