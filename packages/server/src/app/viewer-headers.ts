/**
 * Security headers for the web viewer's files, the same on Node and on the Worker (both serve
 * the viewer through createApp's fallback route, which applies them). The viewer is one bundle
 * served from its own origin: it needs nothing from anywhere else.
 *
 * - `img-src 'self' data:`: a remote image in an item's Markdown would tell its owner who read the
 *   item, when and from where; the renderer shows such images as links, and the policy stops any
 *   that get past it (a `style` background, `<picture>`).
 * - `script-src 'self'`: no inline script; the theme script is a file (viewer/public/theme.js).
 * - `style-src 'self' 'unsafe-inline'`: the viewer's own styles are its stylesheet and CSSOM (Preact's
 *   `style={{…}}`), which needs no exception, but Mermaid draws diagrams with `<style>` elements and
 *   `style` attributes (set while it measures text, so they cannot be moved to a sheet afterwards);
 *   without this a diagram loses its layout and colours. Inline CSS runs no code, and what makes
 *   injected CSS dangerous, reading the page out through url()/@import/@font-face requests, is
 *   stopped by img-src, font-src and default-src. Item Markdown itself may carry no `<style>`
 *   element and no `style` attribute (the renderer strips both).
 * - `frame-ancestors 'none'` (and X-Frame-Options for old browsers): no other page may frame the
 *   viewer to trick clicks out of its user.
 */
export const VIEWER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const VIEWER_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': VIEWER_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** The viewer's response with its security headers (a copy: the original's headers may be immutable). */
export function withViewerHeaders(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(VIEWER_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
