import { Hono } from 'hono';
import { continuePage, escapeHtml, page } from '../pages.js';
import {
  apiKeyMatches,
  consentPage,
  consentPost,
  expired,
  notConfigured,
  type PendingRequest,
  withConsentCleared,
  wrongKeyPage,
} from './consent.js';
import { type AuthRouteDeps, SCOPE } from './shared.js';
import { codeTarget } from './sign-in.js';

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const TITLE = 'Allow access to your backlog';
const ACTION = '/authorize';

/**
 * The authorization endpoint: GET checks the client's request and shows the consent page, the
 * API-key form POSTs back here (GitHub sign-in goes through routes/github.ts instead).
 */
export function authorizeRoutes({ config, oauth }: AuthRouteDeps): Hono {
  const app = new Hono();

  app.get('/authorize', async (c) => {
    if (!config.jwtSecret) return notConfigured();
    const q = c.req.query();
    const client = q.client_id ? await oauth.client(q.client_id) : undefined;
    if (!client) return page('Unknown application', '<p>This client_id is not registered here.</p>', 400);
    const redirectUri = q.redirect_uri ?? (client.redirect_uris.length === 1 ? client.redirect_uris[0] : undefined);
    if (!redirectUri || !client.redirect_uris.includes(redirectUri)) {
      return page('Wrong redirect address', '<p>redirect_uri does not match the registered ones.</p>', 400);
    }
    // Registration is open, so a registered redirect address proves nothing: an error is shown
    // here, never sent there, or this server would bounce anyone's link to any site
    // without a person deciding anything (RFC 9700 §4.11.2).
    const back = (error: string, description: string) =>
      page('This sign-in request is invalid', `<p>${escapeHtml(error)}: ${escapeHtml(description)}.</p>`, 400);
    if (q.response_type !== 'code') return back('unsupported_response_type', 'response_type must be code');
    if (q.code_challenge_method !== 'S256' || !CHALLENGE.test(q.code_challenge ?? '')) {
      return back('invalid_request', 'PKCE is required: code_challenge with code_challenge_method=S256');
    }
    if (q.resource && ![config.resource, config.origin, `${config.origin}/`].includes(q.resource)) {
      return back('invalid_target', `resource must be ${config.resource}`);
    }
    const pending: PendingRequest = {
      kind: 'oauth',
      client_id: client.client_id,
      redirect_uri: redirectUri,
      code_challenge: q.code_challenge as string,
      scope: SCOPE,
      ...(q.state !== undefined ? { state: q.state } : {}),
      ...(q.resource ? { resource: config.resource } : {}),
      ...(client.client_name ? { client_name: client.client_name } : {}),
    };
    return consentPage(config, pending, {
      title: TITLE,
      intro: `<strong>${escapeHtml(client.client_name ?? 'An application')}</strong> (returning to ${escapeHtml(
        new URL(redirectUri).host || redirectUri,
      )}) asks to read and change the items of this backlog.`,
      action: ACTION,
    });
  });

  app.post('/authorize', async (c) => {
    const posted = await consentPost(config, c);
    const pending = posted?.pending;
    if (!posted || pending?.kind !== 'oauth') return expired();
    if (!(await apiKeyMatches(config, posted.form))) {
      return wrongKeyPage(config, posted, {
        title: TITLE,
        intro: `<strong>${escapeHtml(pending.client_name ?? 'An application')}</strong> asks to read and change the items of this backlog.`,
        action: ACTION,
      });
    }
    return withConsentCleared(
      config,
      continuePage('Returning to the application', await codeTarget(config, oauth, pending, 'api-key')),
    );
  });

  return app;
}
