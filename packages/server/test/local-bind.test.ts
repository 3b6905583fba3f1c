import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliEnv, connectBridge, freePort, killServers } from './support/cli.js';
import { removeDir, tempDataDir } from './support/servers.js';

/** The addresses something listens on at `port`, read from the kernel's socket tables (no traffic sent). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [address, portHex] = (local ?? '').split(':');
      if (state !== '0A' || portHex !== hexPort || !address) continue; // 0A: LISTEN
      found.push(decodeAddress(address));
    }
  }
  return found;
}

function decodeAddress(hex: string): string {
  // IPv4 is four little-endian bytes; for IPv6 only the two addresses that matter here are named.
  if (hex.length === 8) return [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join('.');
  if (/^0+$/.test(hex)) return '::';
  return hex === '00000000000000000000000001000000' ? '::1' : hex;
}

describe('the bind address', () => {
  let env: CliEnv;

  beforeEach(async () => {
    env = { dataDir: await tempDataDir(), port: await freePort() };
  });
  afterEach(async () => {
    await killServers(env.dataDir);
    await removeDir(env.dataDir);
  });

  it('a .env with BACKLOG_HOST=0.0.0.0 in the launch folder leaves the server on 127.0.0.1 only, and says so', async () => {
    // The bridge runs in the data folder here: that is the folder whose .env it reads.
    writeFileSync(join(env.dataDir, '.env'), 'BACKLOG_HOST=0.0.0.0\n');
    const bridge = await connectBridge(env);
    try {
      expect((await bridge.client.listTools()).tools.length).toBeGreaterThan(0);
      expect(listeningAddresses(env.port)).toEqual(['127.0.0.1']);
      expect(bridge.stderr()).toContain('backlog-mcp: warning: ignored BACKLOG_HOST=0.0.0.0');
    } finally {
      await bridge.close();
    }
  });
});
