import { ItemSchema, ItemStubSchema } from '@backlog-mcp/shared';
import { z } from 'zod';

/** Output schemas: what `structuredContent` promises to clients that read it. */
export const ActivitySchema = z.object({
  at: z.string(),
  tool: z.string(),
  action: z.string(),
  id: z.string().optional(),
  uri: z.string().optional(),
  fields: z.array(z.string()).optional(),
  actor: z.string().optional(),
  summary: z.string().optional(),
});

export const CountsSchema = z.object({
  by_status: z.record(z.number()),
  by_type: z.record(z.number()),
});

export const ListOutput = z.object({
  items: z.array(ItemStubSchema),
  total: z.number(),
  counts: CountsSchema.optional(),
});

export const GetOutput = z.object({ items: z.array(ItemSchema), not_found: z.array(z.string()) });
export const CreateOutput = z.object({ id: z.string(), item: ItemSchema });
export const UpdateOutput = z.object({ id: z.string(), item: ItemSchema, changed: z.array(z.string()) });
export const DeleteOutput = z.object({ id: z.string(), deleted: z.literal(true) });

export const SearchOutput = z.object({
  results: z.array(
    ItemStubSchema.extend({
      score: z.number(),
      snippet: z.string(),
      matched_fields: z.array(z.string()),
      description: z.string().optional(),
    }),
  ),
  total: z.number(),
  search_mode: z.string(),
});

const ResolvedReference = z.object({
  url: z.string(),
  title: z.string().optional(),
  id: z.string().optional(),
  item: ItemStubSchema.optional(),
});

export const ContextOutput = z.object({
  focal: ItemSchema,
  parent: ItemStubSchema.optional(),
  epic: ItemStubSchema.optional(),
  children: z.array(ItemStubSchema),
  siblings: z.array(ItemStubSchema),
  ancestors: z.array(ItemStubSchema).optional(),
  descendants: z.array(ItemStubSchema).optional(),
  references: z.array(ResolvedReference),
  referenced_by: z.array(ItemStubSchema),
  related: z.array(ItemStubSchema.extend({ score: z.number() })),
  activity: z.array(ActivitySchema),
});

export const WriteResourceOutput = z.object({ uri: z.string(), id: z.string().optional(), message: z.string() });
