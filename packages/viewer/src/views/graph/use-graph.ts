import type { GraphRow } from '@backlog-mcp/shared';
import { useEffect, useRef, useState } from 'preact/hooks';
import { graphRows } from '../../api';
import { onLive } from '../../bus';
import type { GraphQuery, GraphResult } from './graph-query';
import type { LayoutReply, LayoutRequest } from './graph-worker';

/** Coalesces a burst of live changes (an agent filing ten tasks) into one refetch and one layout. */
const REFETCH_MS = 250;

export interface GraphState {
  result?: GraphResult;
  error?: string;
  /** A newer layout is on its way; the one shown is kept until it lands. */
  busy: boolean;
}

/** The rows under `root`, fetched again after any live change in the shown project. */
function useRows(root: string | undefined): { rows?: GraphRow[]; error?: string } {
  const [rows, setRows] = useState<GraphRow[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      controller.abort();
      controller = new AbortController();
      graphRows(root, controller.signal).then(
        (next) => {
          setRows(next);
          setError(undefined);
        },
        (e: unknown) => {
          if ((e as Error).name !== 'AbortError') setError(String((e as Error).message ?? e));
        },
      );
    };
    setRows(undefined);
    load();
    const off = onLive(() => {
      clearTimeout(timer);
      timer = setTimeout(load, REFETCH_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
      controller.abort();
    };
  }, [root]);
  return { rows, error };
}

/** A layout worker for the life of the view; null where workers cannot start (then the page lays out). */
function useWorker(): Worker | null {
  const [worker] = useState<Worker | null>(() => {
    try {
      return new Worker(new URL('./graph-worker.ts', import.meta.url), { type: 'module' });
    } catch {
      return null;
    }
  });
  useEffect(() => () => worker?.terminate(), [worker]);
  return worker;
}

/** The graph for `query`, laid out off the page's thread, kept current with the backlog. */
export function useGraph(query: GraphQuery): GraphState {
  const { rows, error: fetchError } = useRows(query.root);
  const worker = useWorker();
  const [state, setState] = useState<GraphState>({ busy: true });
  const seq = useRef(0);
  const { root, showFinished, text } = query;
  const typesKey = query.types.join(',');

  useEffect(() => {
    if (!worker) return;
    worker.onmessage = (event: MessageEvent<LayoutReply>) => {
      if (event.data.seq !== seq.current) return; // an older request's answer
      const reply = event.data;
      setState('result' in reply ? { result: reply.result, busy: false } : { error: reply.error, busy: false });
    };
  }, [worker]);

  useEffect(() => {
    if (!rows) {
      setState({ busy: true }); // another root: its first layout replaces nothing
      return;
    }
    const request: LayoutRequest = {
      seq: ++seq.current,
      rows,
      query: { root, showFinished, text, types: query.types },
      now: Date.now(),
    };
    setState((s) => ({ ...s, busy: true }));
    if (worker) {
      worker.postMessage(request);
      return;
    }
    // No worker here: lay out on the page, loading the layout code only now (it is the worker's otherwise).
    import('./graph-compute').then(
      ({ computeGraph }) => {
        if (request.seq !== seq.current) return;
        setState({ result: computeGraph(request.rows, request.query, new Date(request.now)), busy: false });
      },
      (e: unknown) => setState({ error: String((e as Error).message ?? e), busy: false }),
    );
    // query.types is read through typesKey, so an equal list in a new array does not lay out again.
  }, [rows, worker, root, showFinished, text, typesKey]);

  return fetchError ? { ...state, error: fetchError, busy: false } : state;
}
