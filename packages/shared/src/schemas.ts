import { z } from 'zod';
import { ENTITY_TYPES, PRIORITIES, STATUSES } from './entities.js';

/** Zod schemas of the entities, shared by the server's tool outputs and the viewer. */
export const EntityTypeSchema = z.enum(ENTITY_TYPES);
export const StatusSchema = z.enum(STATUSES);
export const PrioritySchema = z.enum(PRIORITIES);

export const ReferenceSchema = z.object({
  url: z.string(),
  title: z.string().optional(),
});

export const ItemStubSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: StatusSchema,
  type: EntityTypeSchema,
  parent_id: z.string().optional(),
  epic_id: z.string().optional(),
  priority: PrioritySchema.optional(),
  assignee: z.string().optional(),
  version: z.number(),
  updated_at: z.string(),
});

export const ItemRefSchema = z.object({ id: z.string(), title: z.string(), status: StatusSchema });

export const ItemSchema = z.object({
  id: z.string(),
  type: EntityTypeSchema,
  title: z.string(),
  status: StatusSchema,
  description: z.string(),
  epic_id: z.string().optional(),
  parent_id: z.string().optional(),
  references: z.array(ReferenceSchema).optional(),
  evidence: z.array(z.string()).optional(),
  blocked_reason: z.array(z.string()).optional(),
  due_date: z.string().optional(),
  blocked_by: z.array(z.string()).optional(),
  priority: PrioritySchema.optional(),
  assignee: z.string().optional(),
  lease_until: z.string().optional(),
  version: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
  extra: z.record(z.unknown()).optional(),
});
