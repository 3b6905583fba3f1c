import { ENTITY_TYPES, LABEL_LIMITS, PRIORITIES, STATUSES } from '@backlog-mcp/shared';
import { z } from 'zod';
import { LIMITS } from '../core/limits.js';
import { PAGING } from '../core/paging.js';

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

/** Limits are checked by refinements, which stay out of the JSON Schema: every byte there costs agents tokens. */
export function capped(max: number) {
  return z.string().superRefine((value, ctx) => {
    if (value.length > max) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `Expected at most ${max} characters, received ${value.length}`,
      });
      return;
    }
    // Half of a surrogate pair cannot be written as UTF-8: the file would hold U+FFFD instead.
    const lone = LONE_SURROGATE.exec(value);
    if (lone) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `Expected valid Unicode text, received an unpaired surrogate at character ${lone.index}`,
      });
    }
  });
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function listOf<T extends z.ZodTypeAny>(schema: T, max: number = LIMITS.listEntries) {
  return z.preprocess(
    (value) => {
      const parsed = fromJsonText(value);
      return typeof parsed === 'string' ? [parsed] : parsed;
    },
    z.array(schema).superRefine((list, ctx) => {
      if (list.length > max) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `Expected at most ${max} entries, received ${list.length}`,
        });
      }
    }),
  );
}

export function bounded(min: number, max: number) {
  return z
    .number()
    .int()
    .superRefine((value, ctx) => {
      if (value < min || value > max) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `Expected a whole number from ${min} to ${max}, received ${value}`,
        });
      }
    });
}

/*
 * Factories, not shared instances: zod-to-json-schema turns a reused instance into
 * a "$ref", which several MCP clients cannot resolve.
 */
export const Id = () => capped(40);
export const Title = () => capped(LIMITS.titleLength);
export const Description = () => capped(LIMITS.descriptionBytes);
export const Type = () => z.enum(ENTITY_TYPES);
export const Status = () => z.enum(STATUSES);
export const Priority = () => z.enum(PRIORITIES);
export const IsoDate = () => capped(10).describe('YYYY-MM-DD');
export const TextEntry = () => capped(LIMITS.listItemLength);
export const Reference = () => z.object({ url: capped(LIMITS.urlLength), title: Title().optional() }).strict();
export const References = () =>
  listOf(jsonish(Reference())).describe('[{url, title?}]; url may be mcp://backlog/tasks/ID.md');
export const Query = () => capped(LIMITS.queryLength);
/** Where a read looks: the session's backlog, or every backlog its server knows (results carry `project`). */
export const Scope = () => z.enum(['project', 'all']).optional().describe('all: every project');
export const Ids = () => listOf(Id());
export const Labels = () => listOf(capped(LABEL_LIMITS.length), LABEL_LIMITS.perItem);
/** A page's next_cursor, passed back unchanged with the same filters. */
export const Cursor = () => capped(PAGING.cursorLength);
