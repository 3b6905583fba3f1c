import type { WorkerConfig } from '../config.js';

type GithubConfig = NonNullable<WorkerConfig['github']>;

export function githubAuthorizeUrl(github: GithubConfig, redirectUri: string, state: string): string {
  const url = new URL(`${github.url}/login/oauth/authorize`);
  url.searchParams.set('client_id', github.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('state', state);
  url.searchParams.set('scope', 'read:user');
  url.searchParams.set('allow_signup', 'false');
  return url.toString();
}

/** Exchanges GitHub's code for the signed-in login; undefined when GitHub says no. */
export async function githubLogin(
  github: GithubConfig,
  code: string,
  redirectUri: string,
): Promise<string | undefined> {
  const tokenResponse = await fetch(`${github.url}/login/oauth/access_token`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: github.clientId,
      client_secret: github.clientSecret,
      code,
      redirect_uri: redirectUri,
    }),
  });
  if (!tokenResponse.ok) return undefined;
  const token = (await tokenResponse.json().catch(() => ({}))) as { access_token?: unknown };
  if (typeof token.access_token !== 'string') return undefined;
  const userResponse = await fetch(`${github.apiUrl}/user`, {
    headers: {
      authorization: `Bearer ${token.access_token}`,
      accept: 'application/vnd.github+json',
      'user-agent': 'backlog-mcp',
    },
  });
  if (!userResponse.ok) return undefined;
  const user = (await userResponse.json().catch(() => ({}))) as { login?: unknown };
  return typeof user.login === 'string' && user.login ? user.login : undefined;
}

/** Case-insensitive; an empty allow-list lets nobody in. */
export function githubUserAllowed(config: WorkerConfig, login: string): boolean {
  return config.allowedGithubUsers.has(login.toLowerCase());
}
