import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Backlog } from '../core/backlog.js';

/**
 * The `briefing` prompt: the same text as the resource mcp://backlog/briefing and `backlog-mcp brief`,
 * for clients that offer prompts (a slash command) rather than resources. `agent` names whose claims
 * are "yours" when the client's own name is not the one the claims were taken under.
 */
export function registerBriefingPrompt(server: McpServer, backlog: Backlog, agentOf: () => string | undefined): void {
  server.registerPrompt(
    'briefing',
    {
      title: 'Backlog briefing',
      description:
        'Where the backlog stands for you: claims, work in progress, ready work, blockers, news (~600 tokens)',
      argsSchema: { agent: z.string().max(200).optional().describe('whose claims are "yours" (default: this client)') },
    },
    async ({ agent }) => {
      const { text } = await backlog.briefing({ agent: agent?.trim() || agentOf() });
      return {
        description: 'Backlog briefing',
        messages: [{ role: 'user', content: { type: 'text', text } }],
      };
    },
  );
}
