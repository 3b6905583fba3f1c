import { z } from 'zod';

/*
 * Output schemas name the keys agents rely on and stay loose inside: the whole
 * tools/list answer must fit a small token budget (issue 9: ≤ 3,000 tokens).
 */
const ref = () => z.object({ id: z.string(), title: z.string(), status: z.string() }).passthrough();
const item = () => ref().extend({ type: z.string(), version: z.number() }).passthrough();

export const ListOutput = z.object({
  items: z.array(item()),
  total: z.number(),
  /** {by_status: {open: 3, ...}, by_type: {task: 2, ...}}: named in the description, not here (token budget). */
  counts: z.record(z.record(z.number())).optional(),
  next_cursor: z.string().optional(),
});
export const GetOutput = z.object({ items: z.array(item()), not_found: z.array(z.string()) });
export const CreateOutput = z.object({ id: z.string(), item: item() });
export const UpdateOutput = z.object({ id: z.string(), item: item(), changed: z.array(z.string()) });
export const DeleteOutput = z.object({ id: z.string(), deleted: z.boolean() });
export const SearchOutput = z.object({
  results: z.array(item()),
  total: z.number(),
  search_mode: z.string(),
  next_cursor: z.string().optional(),
});
/** The neighbour lists (parent, children, waits_on, ...) are {id, title, status} refs; see the tool description. */
export const ContextOutput = z.object({ focal: item(), children: z.array(ref()) }).passthrough();
export const WriteResourceOutput = z.object({ uri: z.string(), message: z.string() }).passthrough();
