/** What the app needs from a runtime's MCP endpoint (Node: stateful sessions; Worker: stateless). */
export interface McpEndpoint {
  handle(request: Request): Promise<Response>;
  sessionCount(): number;
  closeAll(): Promise<void>;
}
