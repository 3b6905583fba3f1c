import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { BRIDGE_ERROR_CODE } from './stdio-http-bridge.js';

/**
 * A bridge that cannot serve its backlog must still be heard: MCP clients rarely show a server's
 * stderr, so every request gets the reason as its JSON-RPC error (the agent sees it on `initialize`
 * and on each call) until the client goes away. Nothing is sent anywhere.
 */
export async function refuseOverStdio(reason: string): Promise<void> {
  const transport = new StdioServerTransport();
  transport.onmessage = (message) => {
    if (!('id' in message) || !('method' in message)) return;
    void transport
      .send({ jsonrpc: '2.0', id: message.id, error: { code: BRIDGE_ERROR_CODE, message: reason } })
      .catch(() => undefined);
  };
  await transport.start();
  await new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });
}
