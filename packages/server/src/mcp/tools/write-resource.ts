import { z } from 'zod';
import { LIMITS } from '../../core/limits.js';
import { jsonish } from '../inputs.js';
import { WriteResourceOutput } from '../outputs.js';
import { defineTool } from '../tool.js';

const EditText = () => z.string().max(LIMITS.editStringBytes);

export const writeResource = defineTool({
  name: 'write_resource',
  title: 'Edit an item body or a document',
  description:
    'Edit an existing file; never creates one (use backlog_create). uri: mcp://backlog/tasks/TASK-0001.md edits ' +
    'that item’s Markdown body (front matter is protected), mcp://backlog/resources/<path> a document. ' +
    'operation.type: str_replace (old_str must match exactly once; new_str is literal), ' +
    'insert (new_str after line insert_line; 0 = top), append (new_str at the end).',
  input: z
    .object({
      uri: z.string().min(1).max(2048),
      operation: jsonish(
        z
          .object({
            type: z.enum(['str_replace', 'insert', 'append']),
            old_str: EditText().optional(),
            new_str: EditText().optional(),
            insert_line: z.number().int().min(0).optional(),
          })
          .strict(),
      ),
    })
    .strict(),
  output: WriteResourceOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { backlog, actor }) {
    const result = await backlog.editResource(args.uri, args.operation, actor('write_resource'));
    return { structured: result, text: result.message };
  },
});
