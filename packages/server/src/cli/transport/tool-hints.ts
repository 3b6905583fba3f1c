import { type Id, isRequest, type Message, type Response } from './bridge-messages.js';

/**
 * Tools whose calls may be repeated safely (readOnlyHint or idempotentHint), learnt from tools/list:
 * the answers to the client's own tools/list requests, and the bridge's own one.
 */
export class ToolHints {
  private readonly repeatable = new Map<string, boolean>();
  private readonly toolListRequests = new Set<Id>();

  /** True once any tool's hints are known. */
  get known(): boolean {
    return this.repeatable.size > 0;
  }

  /** Notes a client's tools/list request, so that its answer is learnt from too. */
  watch(message: Message): void {
    if (isRequest(message) && message.method === 'tools/list') this.toolListRequests.add(message.id);
  }

  /** An answer from the server: learnt from if it answers a watched tools/list. */
  answered(message: Response): void {
    if (message.id === undefined || !this.toolListRequests.delete(message.id)) return;
    if ('result' in message) this.learn(message.result);
  }

  learn(result: unknown): void {
    const tools = (result as { tools?: unknown }).tools;
    if (!Array.isArray(tools)) return;
    for (const tool of tools as Array<{ name?: unknown; annotations?: Record<string, unknown> }>) {
      if (typeof tool?.name !== 'string') continue;
      const hints = tool.annotations ?? {};
      this.repeatable.set(tool.name, hints.readOnlyHint === true || hints.idempotentHint === true);
    }
  }

  /**
   * Whether a message whose fate is unknown (the connection broke around it) may be sent again:
   * notifications and non-tool requests yes; a tool call only if the tool says it is read-only or idempotent.
   */
  safeToRepeat(message: Message): boolean {
    if (!isRequest(message)) return true;
    if (message.method !== 'tools/call') return true;
    const name = (message.params as { name?: unknown } | undefined)?.name;
    return typeof name === 'string' && this.repeatable.get(name) === true;
  }
}
