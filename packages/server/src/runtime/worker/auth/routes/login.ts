import { Hono } from 'hono';
import { SESSION_COOKIE } from '../../guard.js';
import {
  apiKeyMatches,
  consentPage,
  consentPost,
  notConfigured,
  type SignInCopy,
  withConsentCleared,
  wrongKeyPage,
} from './consent.js';
import { cookie, redirect } from './responses.js';
import type { AuthRouteDeps } from './shared.js';
import { safeNext, startSession } from './sign-in.js';

const LOGIN: SignInCopy = {
  title: 'Sign in to the backlog',
  intro: 'The viewer shows this backlog to its owner only.',
  action: '/login',
};

/** The viewer's sign-in page (API key, or GitHub through routes/github.ts) and sign-out. */
export function loginRoutes({ config }: AuthRouteDeps): Hono {
  const app = new Hono();

  app.get('/login', async (c) => {
    if (!config.jwtSecret) return notConfigured();
    return consentPage(config, { kind: 'viewer', next: safeNext(c.req.query('next'), config.origin) }, LOGIN);
  });

  app.post('/login', async (c) => {
    const posted = await consentPost(config, c);
    if (posted?.pending.kind !== 'viewer') return redirect('/login');
    if (!(await apiKeyMatches(config, posted.form))) return wrongKeyPage(config, posted, LOGIN);
    return withConsentCleared(config, await startSession(config, 'api-key', posted.pending.next));
  });

  app.post('/logout', () => redirect('/login', { 'set-cookie': cookie(SESSION_COOKIE, '', { path: '/', maxAge: 0 }) }));

  return app;
}
