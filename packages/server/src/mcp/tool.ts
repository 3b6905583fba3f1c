import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { Across } from '../core/across.js';
import type { Actor } from '../core/activity.js';
import type { Backlog } from '../core/backlog.js';
import { BacklogError } from '../core/errors.js';

export interface ToolContext {
  /** The session's own backlog: every tool acts here unless `scope: "all"` asks for all. */
  backlog: Backlog;
  /** Every backlog the server knows, for `scope: "all"`; absent where there is only one (the Worker). */
  across?: Across;
  /** Who is calling, resolved per call (the MCP client's name or BACKLOG_ACTOR_NAME). */
  actor(tool: string): Actor;
}

/** One MCP tool: its schemas, its hints, and a handler that makes one core call. */
export interface ToolDefinition<In extends z.ZodTypeAny = z.ZodTypeAny, Out extends z.ZodTypeAny = z.ZodTypeAny> {
  name: string;
  title: string;
  description: string;
  input: In;
  output: Out;
  annotations: ToolAnnotations;
  /** `structured` is checked against `output` by the SDK at run time; the schema is loose by design (token budget). */
  run(args: z.output<In>, ctx: ToolContext): Promise<{ structured: object; text: string }>;
}

export function defineTool<In extends z.ZodTypeAny, Out extends z.ZodTypeAny>(
  tool: ToolDefinition<In, Out>,
): ToolDefinition<In, Out> {
  return tool;
}

/** Domain errors become `isError` results, so an agent can never mistake a failure for success. */
export function errorResult(error: unknown): CallToolResult {
  const message =
    error instanceof BacklogError
      ? error.message
      : `Internal error: ${error instanceof Error ? error.message : String(error)}`;
  return { content: [{ type: 'text', text: message }], isError: true };
}

export function registerTool(server: McpServer, tool: ToolDefinition, ctx: ToolContext): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      outputSchema: tool.output,
      annotations: { title: tool.title, ...tool.annotations },
    },
    async (args: unknown): Promise<CallToolResult> => {
      try {
        const { structured, text } = await tool.run(args, ctx);
        return { content: [{ type: 'text', text }], structuredContent: structured as Record<string, unknown> };
      } catch (error) {
        return errorResult(error);
      }
    },
  );
}
