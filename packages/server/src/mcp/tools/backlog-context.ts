import { z } from 'zod';
import type { Neighbour } from '../../core/context.js';
import { Id, Query } from '../inputs.js';
import { ContextOutput } from '../outputs.js';
import { activityLine, itemText, refLine } from '../render.js';
import { defineTool } from '../tool.js';

export const backlogContext = defineTool({
  name: 'backlog_context',
  title: 'Context of an item',
  description:
    'One call before working on an item: parent, epic, children, siblings (and items sharing labels), dependencies, references both ways, ' +
    'activity, related items. task_id, or query to find it. depth=2: grandparents/grandchildren. ' +
    'include_content: whole neighbours.',
  input: z
    .object({
      task_id: Id().optional(),
      query: Query().optional(),
      depth: z.union([z.literal(1), z.literal(2)]).optional(),
      include_related: z.boolean().optional(),
      include_content: z.boolean().optional(),
    })
    .strict(),
  output: ContextOutput,
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(args, { backlog }) {
    const context = await backlog.context(args);
    const section = (name: string, list: readonly Neighbour[] | undefined) =>
      list?.length ? [`${name}:`, ...list.map((n) => `  ${refLine(n)}`)] : [];
    const lines = [
      itemText(context.focal),
      '',
      ...(context.parent ? [`parent: ${refLine(context.parent)}`] : []),
      ...(context.epic ? [`epic: ${refLine(context.epic)}`] : []),
      ...section('ancestors', context.ancestors),
      ...section('children', context.children),
      ...section('descendants', context.descendants),
      ...section('siblings', context.siblings),
      ...section('same labels', context.same_labels),
      ...section('waits on', context.waits_on),
      ...section('blocking', context.blocking),
      ...(context.references.length
        ? [
            'references:',
            ...context.references.map(
              (r) => `  ${r.id ? `${r.id} [${r.status}]` : r.url}${r.title ? ` ${r.title}` : ''}`,
            ),
          ]
        : []),
      ...section('referenced by', context.referenced_by),
      ...section('related', context.related),
      ...(context.activity.length ? ['activity:', ...context.activity.map((a) => `  ${activityLine(a)}`)] : []),
    ];
    return { structured: context, text: lines.join('\n') };
  },
});
