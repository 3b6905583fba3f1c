import { expect } from 'vitest';
import type { PageWatch } from './browser.js';

export interface Violation {
  directive: string;
  blockedURI: string;
  sample: string;
}

/**
 * Records every `securitypolicyviolation` the page reports, in Node (returned function) and in
 * the page (`window.__violations`, for waits). Call before the first navigation.
 */
export async function recordViolations(watch: PageWatch): Promise<() => Violation[]> {
  const seen: Violation[] = [];
  await watch.context.exposeBinding('__reportViolation', (_source, violation: Violation) => {
    seen.push(violation);
  });
  await watch.context.addInitScript(() => {
    const store: unknown[] = [];
    (window as unknown as { __violations: unknown[] }).__violations = store;
    document.addEventListener('securitypolicyviolation', (event) => {
      const violation = {
        directive: event.effectiveDirective,
        blockedURI: event.blockedURI,
        sample: event.sample,
      };
      store.push(violation);
      (window as unknown as { __reportViolation(v: unknown): void }).__reportViolation(violation);
    });
  });
  return () => [...seen];
}

/** `default-src 'self'; img-src 'self' data:` → { 'default-src': ["'self'"], 'img-src': ["'self'", 'data:'] }. */
export function parsePolicy(header: string): Record<string, string[]> {
  const policy: Record<string, string[]> = {};
  for (const part of header.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) policy[name.toLowerCase()] = sources;
  }
  return policy;
}

/** The viewer's policy: nothing but its own origin, no inline script, no framing, no remote images. */
export function expectViewerPolicy(header: string | string[] | null | undefined, where: string): void {
  expect(typeof header, `${where}: a single Content-Security-Policy header`).toBe('string');
  const policy = parsePolicy(header as string);
  expect(policy['default-src'], where).toEqual(["'self'"]);
  expect(policy['script-src'], where).toEqual(["'self'"]);
  expect(policy['img-src'], where).toEqual(["'self'", 'data:']);
  expect(policy['connect-src'], where).toEqual(["'self'"]);
  expect(policy['frame-ancestors'], where).toEqual(["'none'"]);
  expect(policy['base-uri'], where).toEqual(["'none'"]);
  expect(policy['form-action'], where).toEqual(["'self'"]);
  expect(policy['object-src'], where).toEqual(["'none'"]);
  expect(policy['style-src'], where).toContain("'self'");
  for (const [name, sources] of Object.entries(policy)) {
    for (const source of sources) {
      // Only this origin, data: images and (for styles, justified in viewer-headers.ts) inline styles.
      expect(source, `${where}: ${name}`).toMatch(/^('self'|'none'|data:|'unsafe-inline')$/);
      if (source === 'data:') expect(name, where).toBe('img-src');
      if (source === "'unsafe-inline'") expect(name, where).toMatch(/^style-src/);
    }
  }
}
