import { readFileSync } from 'node:fs';

/**
 * The user ids owning the sockets that listen on `port` (Linux: /proc/net/tcp and tcp6), or
 * undefined where there is no /proc. Lets the CLI refuse to hand its token to a program another
 * user put on the port while the server was down.
 */
export function listenerUids(port: number, proc = '/proc'): number[] | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const uids: number[] = [];
  let readAny = false;
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`${proc}/net/${table}`, 'utf8');
      readAny = true;
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // fields[3] "0A" is LISTEN; fields[7] is the owner's uid.
      if (!local || fields[3] !== '0A' || local.slice(local.lastIndexOf(':') + 1) !== hexPort) continue;
      const uid = Number(fields[7]);
      if (Number.isInteger(uid)) uids.push(uid);
    }
  }
  return readAny ? uids : undefined;
}

/** The uid of another user listening on the port, if any: then the port is not this user's server. */
export function foreignListener(port: number): number | undefined {
  const me = process.getuid?.();
  if (me === undefined) return undefined;
  return listenerUids(port)?.find((uid) => uid !== me);
}
