import { createHash, randomBytes } from 'node:crypto';

/** A PKCE verifier and its S256 challenge, as an OAuth client makes them. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The cookies a response sets, as a browser would send them back (cleared ones left out). */
export function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .filter((c) => !c?.endsWith('='))
    .join('; ');
}

/** Where a "continue" page (meta refresh after a form POST) sends the browser. */
export function refreshTarget(html: string): URL {
  const raw = /http-equiv="refresh" content="0; url=([^"]+)"/.exec(html)?.[1];
  if (!raw) throw new Error(`no meta refresh in ${html.slice(0, 300)}`);
  return new URL(
    raw
      .replace(/&amp;/g, '&')
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"'),
  );
}

/** What a consent page gives the browser that saw it: the signed request, its nonce, its cookie. */
export interface Consent {
  req: string;
  consent: string;
  cookie: string;
}

export function consentOf(response: Response, html: string): Consent {
  return {
    req: /name="req" value="([^"]+)"/.exec(html)?.[1] ?? '',
    consent: /name="consent" value="([^"]+)"/.exec(html)?.[1] ?? '',
    cookie: cookiesOf(response),
  };
}
