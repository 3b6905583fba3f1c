import './signed-out.css';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onSignedOut } from '../api';

/**
 * Shows the viewer only to a signed-in browser. The page itself holds no data, so the server serves
 * it to anyone; the first refused API call replaces it with how to get in.
 */
export function SignedOutGate({ children }: { children: ComponentChildren }) {
  const [message, setMessage] = useState<string | undefined>(undefined);
  useEffect(() => onSignedOut(setMessage), []);
  if (message === undefined) return <>{children}</>;
  return (
    <main class="signed-out" aria-live="polite">
      <h1>backlog-mcp</h1>
      <p>This viewer is not signed in.</p>
      <p>
        On your machine, run <code>npx backlog-mcp status</code> and open the <code>Viewer:</code> link it prints (it
        carries the server's token once, then a cookie keeps you in).
      </p>
      <p class="signed-out-detail">The server said: {message}</p>
    </main>
  );
}
