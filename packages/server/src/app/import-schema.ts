import { z } from 'zod';
import { IMPORT_SYSTEMS, type ImportBatch } from '../core/import/imported-item.js';
import {
  capped,
  Description,
  IsoDate,
  Labels,
  listOf,
  Priority,
  Reference,
  Status,
  TextEntry,
  Title,
  Type,
} from '../mcp/inputs.js';

/**
 * An ImportBatch as it crosses a process boundary (the CLI to the server's POST /import), checked
 * with the same field rules as the MCP tools: a title, a label or a date that an agent could not
 * write cannot be imported either. The CLI checks its own batch with it too, before anything is sent.
 */
const SourceId = () => capped(200);
const Timestamp = () =>
  z.string().refine((value) => !Number.isNaN(Date.parse(value)) && /^\d{4}-\d{2}-\d{2}T/.test(value), {
    message: 'Expected an ISO 8601 date-time such as 2026-11-30T12:00:00Z',
  });

const ImportedItemSchema = z
  .object({
    source: z.object({ system: z.enum(IMPORT_SYSTEMS), id: SourceId(), url: capped(4000).optional() }).strict(),
    type: Type(),
    title: Title().refine((t) => t.trim().length > 0, { message: 'Expected a non-empty title' }),
    status: Status(),
    description: Description(),
    priority: Priority().optional(),
    labels: Labels().optional(),
    due_date: IsoDate()
      .refine((d) => /^\d{4}-\d{2}-\d{2}$/.test(d), { message: 'Expected YYYY-MM-DD' })
      .optional(),
    references: listOf(Reference(), 1000).optional(),
    evidence: listOf(TextEntry()).optional(),
    blocked_reason: listOf(TextEntry()).optional(),
    assignee: capped(200).optional(),
    lease_until: Timestamp().optional(),
    created_at: Timestamp().optional(),
    updated_at: Timestamp().optional(),
    parent: SourceId().optional(),
    epic: SourceId().optional(),
    blocked_by: listOf(SourceId(), 1000).optional(),
    extra: z.record(z.unknown()).optional(),
    preferredId: capped(40).optional(),
  })
  .strict();

export const ImportBatchSchema = z
  .object({
    system: z.enum(IMPORT_SYSTEMS),
    label: capped(4000),
    items: z.array(ImportedItemSchema).max(100_000),
    warnings: z.array(z.string()).max(100_000),
  })
  .strict();

/** How a refused batch is introduced, by the CLI and by the server alike. */
export const STORE_REFUSES = 'the source holds values backlog-mcp cannot store';

/** The batch, or the first problems named by item and field ("items[12] (task-12).title: …"). */
export function checkBatch(raw: unknown): { batch: ImportBatch } | { error: string } {
  const parsed = ImportBatchSchema.safeParse(raw);
  if (parsed.success) return { batch: parsed.data as ImportBatch };
  const items = (raw as { items?: { source?: { id?: unknown } }[] } | undefined)?.items;
  const lines = parsed.error.issues.slice(0, 5).map((issue) => {
    const [first, index, ...rest] = issue.path;
    const sourceId = first === 'items' && typeof index === 'number' ? items?.[index]?.source?.id : undefined;
    const where =
      first === 'items' && typeof index === 'number'
        ? `items[${index}]${sourceId ? ` (${String(sourceId)})` : ''}${rest.length ? `.${rest.join('.')}` : ''}`
        : issue.path.join('.');
    return `${where || 'batch'}: ${issue.message}`;
  });
  const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : '';
  return { error: `${lines.join('; ')}${more}` };
}
