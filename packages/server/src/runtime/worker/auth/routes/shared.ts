import type { WorkerConfig } from '../../config.js';
import type { OAuthStore } from '../oauth-store.js';

/** What every group of auth routes is built from, per request. */
export interface AuthRouteDeps {
  config: WorkerConfig;
  oauth: OAuthStore;
}

/** The one scope this server grants. */
export const SCOPE = 'backlog';
/** How clients may authenticate at /token (RFC 7591 token_endpoint_auth_method). */
export const AUTH_METHODS = ['none', 'client_secret_post', 'client_secret_basic'] as const;
