import { useEffect, useRef, useState } from 'preact/hooks';
import { type AgentsOverview, agents } from '../api';
import { onLive } from '../bus';

// The Agents view's data: one small answer (`/api/agents`), refetched whole on every live change,
// as any write may move a claim or add a last action. A ticking clock keeps "lease left" and
// "5 min ago" honest between changes, and notices a lease that lapses while nobody writes.

const TICK_MS = 30_000;

export interface AgentsState {
  data: AgentsOverview | undefined;
  error: string | undefined;
  /** When `data` arrived; the lease times count down from it. */
  now: number;
}

export function useAgents(): AgentsState {
  const [data, setData] = useState<AgentsOverview | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [now, setNow] = useState(Date.now());
  const latest = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    const load = async () => {
      const ticket = ++latest.current;
      try {
        const answer = await agents(controller.signal);
        // An older fetch that answers late must not overwrite a newer one.
        if (ticket !== latest.current) return;
        setData(answer);
        setError(undefined);
        setNow(Date.now());
      } catch (e) {
        if (!controller.signal.aborted && ticket === latest.current)
          setError(e instanceof Error ? e.message : String(e));
      }
    };
    void load();
    const off = onLive(() => void load());
    const timer = setInterval(() => void load(), TICK_MS);
    return () => {
      controller.abort();
      off();
      clearInterval(timer);
    };
  }, []);

  return { data, error, now };
}
