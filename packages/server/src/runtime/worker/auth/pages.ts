/** The few HTML pages of the sign-in flow: no scripts, inline styles only, never framed. */

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}' +
  'h1{font-size:1.3rem}form{margin:1.2rem 0}input{width:100%;padding:.5rem;box-sizing:border-box;margin:.4rem 0}' +
  'button,.button{display:inline-block;padding:.55rem 1rem;border:1px solid #888;border-radius:6px;background:#f4f4f4;' +
  'color:#222;text-decoration:none;font-size:1rem;cursor:pointer}.muted{color:#666;font-size:.9rem}';

export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on the consent
  // form's POST, and the Worker refuses any Origin but its own there.
  'referrer-policy': 'same-origin',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

export function page(title: string, body: string, status = 200, head = ''): Response {
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">${head}
<title>${escapeHtml(title)}</title><style>${STYLE}</style><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  return new Response(html, { status, headers: PAGE_HEADERS });
}

/**
 * Sends the browser on to `target` after a form POST. A 302 would be blocked there: the
 * consent page's `form-action 'self'` also covers redirects that follow its form. A meta refresh
 * is a new navigation that CSP does not restrict, so the consent page keeps its strict policy.
 */
export function continuePage(title: string, target: string): Response {
  const href = escapeHtml(target);
  return page(
    title,
    `<p>Continuing… If nothing happens, <a href="${href}">continue here</a>.</p>`,
    200,
    `<meta http-equiv="refresh" content="0; url=${href}">`,
  );
}

/**
 * Sign-in choices for a pending request `req`: GitHub (when configured) or the API key. Both are
 * POSTs carrying `consent`, the nonce also held in this browser's consent cookie (double submit).
 */
export function signInPage(options: {
  title: string;
  intro: string;
  req: string;
  consent: string;
  action: string;
  github: boolean;
  error?: string;
}): Response {
  const hidden = `<input type="hidden" name="req" value="${escapeHtml(options.req)}">
<input type="hidden" name="consent" value="${escapeHtml(options.consent)}">`;
  const github = options.github
    ? `<form method="post" action="/oauth/github/start">${hidden}<button type="submit">Sign in with GitHub</button></form>`
    : '';
  const error = options.error ? `<p role="alert" style="color:#b00">${escapeHtml(options.error)}</p>` : '';
  return page(
    options.title,
    `<p>${options.intro}</p>${error}${github}
<form method="post" action="${escapeHtml(options.action)}">
${hidden}
<label>Or with the API key<input type="password" name="api_key" autocomplete="current-password" required></label>
<button type="submit">Continue</button></form>`,
    options.error ? 401 : 200,
  );
}
