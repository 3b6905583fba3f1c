import { z } from 'zod';
import { LIMITS } from '../../core/limits.js';
import { capped, jsonish } from '../inputs.js';
import { WriteResourceOutput } from '../outputs.js';
import { defineTool } from '../tool.js';

export const writeResource = defineTool({
  name: 'write_resource',
  title: 'Edit a body or document',
  description:
    'Edit an existing file, never create one. uri mcp://backlog/tasks/ID.md edits the item body (front matter safe); ' +
    'mcp://backlog/resources/PATH a document. type str_replace (old_str unique, new_str literal), ' +
    'insert (after line insert_line, 0 = top) or append.',
  input: z
    .object({
      uri: capped(2048),
      operation: jsonish(
        z
          .object({
            type: z.enum(['str_replace', 'insert', 'append']),
            old_str: capped(LIMITS.editStringBytes).optional(),
            new_str: capped(LIMITS.editStringBytes).optional(),
            insert_line: z.number().int().min(0).optional(),
          })
          .strict(),
      ),
      if_version: z.number().int().optional(),
    })
    .strict(),
  output: WriteResourceOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { backlog, actor }) {
    const result = await backlog.editResource(args.uri, args.operation, actor('write_resource'), args.if_version);
    return { structured: result, text: result.version ? `${result.message} (v${result.version})` : result.message };
  },
});
