import { Hono } from 'hono';
import { githubAuthorizeUrl, githubLogin, githubUserAllowed } from '../github.js';
import { signJwt, verifyJwt } from '../jwt.js';
import { continuePage, escapeHtml, page } from '../pages.js';
import { boundPending, consentPost, expired, REQUEST_TTL_SECONDS, withConsentCleared } from './consent.js';
import { redirect } from './responses.js';
import type { AuthRouteDeps } from './shared.js';
import { codeTarget, denied, startSession } from './sign-in.js';

/**
 * Sign-in with GitHub, for an OAuth client's consent page and for the viewer's sign-in page
 * alike: the consent form POSTs to /start, GitHub sends the browser back to /callback.
 */
export function githubRoutes({ config, oauth }: AuthRouteDeps): Hono {
  const app = new Hono();
  const callbackUrl = `${config.origin}/oauth/github/callback`;

  // A link must never start a sign-in: GitHub approves apps it knows without a click, so a GET
  // here would be consent without the owner seeing the consent page.
  app.get('/oauth/github/start', () => {
    const response = page('Start from the sign-in page', '<p>Open the sign-in page and choose GitHub there.</p>', 405);
    response.headers.set('allow', 'POST');
    return response;
  });

  app.post('/oauth/github/start', async (c) => {
    const posted = config.github ? await consentPost(config, c) : undefined;
    if (!config.github || !posted) return expired();
    // GitHub returns `state` to the callback, which checks `req` against this browser's cookie again.
    const state = await signJwt(config.jwtSecret as string, 'ghstate', { req: posted.req }, REQUEST_TTL_SECONDS);
    return continuePage('Signing in with GitHub', githubAuthorizeUrl(config.github, callbackUrl, state));
  });

  app.get('/oauth/github/callback', async (c) => {
    const secret = config.jwtSecret;
    const { code, state } = c.req.query();
    if (!config.github || !secret || !code || !state) return page('GitHub sign-in failed', '<p>Start again.</p>', 400);
    const checked = await verifyJwt<{ req: string }>(secret, 'ghstate', state);
    // The consent cookie binds GitHub's answer to the browser that saw the consent page.
    const pending = checked.ok ? await boundPending(config, checked.claims.req, c.req.raw) : undefined;
    if (!pending) {
      return page('GitHub sign-in failed', '<p>The sign-in expired or was started in another browser.</p>', 400);
    }
    const login = await githubLogin(config.github, code, callbackUrl);
    if (!login) return page('GitHub sign-in failed', '<p>GitHub did not confirm who you are.</p>', 502);
    if (!githubUserAllowed(config, login)) {
      if (pending.kind === 'oauth')
        return denied(config, pending, `GitHub user ${login} is not allowed on this backlog`);
      return page(
        'Not allowed',
        `<p>The GitHub user <strong>${escapeHtml(login)}</strong> is not on this backlog's allow-list.</p>`,
        403,
      );
    }
    const subject = `github:${login.toLowerCase()}`;
    return withConsentCleared(
      config,
      pending.kind === 'oauth'
        ? redirect(await codeTarget(config, oauth, pending, subject))
        : await startSession(config, subject, pending.next),
    );
  });

  return app;
}
