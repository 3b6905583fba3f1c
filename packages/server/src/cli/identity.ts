import { hostname, userInfo } from 'node:os';
import type { Config } from '../runtime/node/config.js';

/**
 * Who the CLI acts as, the same on every call so a claim taken by one command can be released
 * by the next: BACKLOG_ACTOR_NAME, else user@host. A fresh random tag per call (the old
 * behaviour) made CLI claims impossible to release.
 */
export function cliIdentity(config: Pick<Config, 'actorName'>): string {
  if (config.actorName) return config.actorName;
  let user = process.env.USER ?? process.env.LOGNAME ?? 'user';
  try {
    user = userInfo().username || user;
  } catch {
    // no passwd entry (some containers): keep the environment's name
  }
  return `${user}@${hostname()}`.slice(0, 40);
}
