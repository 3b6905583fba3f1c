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

/** The tool's own work and the shape of its answer, the same whichever path the call came by. */
async function runTool(tool: ToolDefinition, args: unknown, ctx: ToolContext): Promise<CallToolResult> {
  try {
    const { structured, text } = await tool.run(args, ctx);
    return { content: [{ type: 'text', text }], structuredContent: structured as Record<string, unknown> };
  } catch (error) {
    return errorResult(error);
  }
}

/**
 * Answers a `tools/call` the way the SDK's McpServer does (same validation of the arguments, same
 * result, same check of the output) without its per-message overhead, which was a fifth of a
 * create's CPU (ADR 0021). Resolves to undefined, having done nothing, for anything it does not
 * take on (an unknown tool, arguments that fail validation): the SDK then answers, so every
 * error message stays exactly the SDK's.
 */
export type ToolCaller = (params: {
  name: string;
  arguments?: Record<string, unknown>;
}) => Promise<CallToolResult | undefined>;

export function toolCaller(tools: readonly ToolDefinition[], ctx: ToolContext): ToolCaller {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  return async ({ name, arguments: args }) => {
    const tool = byName.get(name);
    if (!tool) return undefined;
    const input = await tool.input.safeParseAsync(args);
    if (!input.success) return undefined;
    const result = await runTool(tool, input.data, ctx);
    if (result.isError) return result;
    const output = await tool.output.safeParseAsync(result.structuredContent);
    if (output.success) return result;
    return errorResult(new Error(`Output validation error: invalid structured content for tool ${name}`));
  };
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
    (args: unknown): Promise<CallToolResult> => runTool(tool, args, ctx),
  );
}
