import { ENTITY_TYPES, STATUSES } from '@backlog-mcp/shared';
import { z } from 'zod';
import { LIMITS } from '../core/limits.js';

/**
 * Some clients send list- and object-valued arguments as JSON text; accept that,
 * and a single value where a list is expected, instead of failing the call.
 */
function fromJsonText(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export function jsonish<T extends z.ZodTypeAny>(schema: T) {
  return z.preprocess(fromJsonText, schema);
}

export function listOf<T extends z.ZodTypeAny>(schema: T, max: number = LIMITS.listEntries) {
  return z.preprocess((value) => {
    const parsed = fromJsonText(value);
    return typeof parsed === 'string' ? [parsed] : parsed;
  }, z.array(schema).max(max));
}

/*
 * Factories, not shared instances: zod-to-json-schema turns a reused instance into
 * a "$ref", which several MCP clients cannot resolve.
 */
export const Id = () => z.string().min(1).max(40).describe('Item ID, e.g. TASK-0001');
export const Title = () => z.string().min(1).max(LIMITS.titleLength);
export const Description = () => z.string().max(LIMITS.descriptionBytes).describe('Markdown body');
export const Type = () => z.enum(ENTITY_TYPES);
export const Status = () => z.enum(STATUSES);
export const IsoDate = () => z.string().max(10).describe('YYYY-MM-DD');
export const TextEntry = () => z.string().max(LIMITS.listItemLength);
export const Reference = () =>
  z
    .object({ url: z.string().min(1).max(LIMITS.urlLength), title: z.string().max(LIMITS.titleLength).optional() })
    .strict();
export const References = () =>
  listOf(jsonish(Reference())).describe('Links [{url, title?}]: web URLs or items (mcp://backlog/tasks/TASK-0007.md)');
export const Query = () => z.string().min(1).max(LIMITS.queryLength);
