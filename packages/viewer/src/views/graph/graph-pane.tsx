// The Graph tab: what to draw (a container, types, text, finished items) over the drawing itself.
// Every choice is in the URL (root, type, q, done=all), so a link shows the same graph.
import '../../components/board.css';
import type { EntityType } from '@backlog-mcp/shared';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type ItemType, listItems, STATUSES, TYPE_LABEL, TYPES } from '../../api';
import type { UrlState } from '../../hooks/use-url-state';
import { type GraphQuery, type GraphResult, MAX_NODES } from './graph-query';
import { GraphView } from './graph-view';
import { useGraph } from './use-graph';

interface Container {
  id: string;
  title: string;
  type: ItemType;
}

const CONTAINER_TYPES: readonly ItemType[] = ['milestone', 'epic', 'folder'];

/** Every milestone, epic and folder, for the root picker; reloaded when containers may have changed. */
function useContainers(rev: number): Container[] {
  const [options, setOptions] = useState<Container[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    listItems({ status: [...STATUSES], types: CONTAINER_TYPES, sort: 'updated' }, 0, 1000, undefined, controller.signal)
      .then((page) => setOptions(page.items.map(({ id, title, type }) => ({ id, title, type }))))
      .catch(() => undefined);
    return () => controller.abort();
  }, [rev]);
  return options;
}

function RootPick({
  value,
  containers,
  onPick,
}: {
  value?: string;
  containers: Container[];
  onPick(id?: string): void;
}) {
  const known = !value || containers.some((c) => c.id === value);
  return (
    <label class="board-pick">
      <span class="visually-hidden">Graph of</span>
      <select name="root" value={value ?? ''} onChange={(e) => onPick(e.currentTarget.value || undefined)}>
        <option value="">Whole backlog</option>
        {known ? null : <option value={value}>{value}</option>}
        {CONTAINER_TYPES.map((type) => (
          <optgroup key={type} label={`${TYPE_LABEL[type]}s`}>
            {containers
              .filter((c) => c.type === type)
              .sort((a, b) => a.id.localeCompare(b.id))
              .map((c) => (
                <option key={c.id} value={c.id}>{`${c.id} · ${c.title}`}</option>
              ))}
          </optgroup>
        ))}
      </select>
    </label>
  );
}

function Filters({ url, containers }: { url: UrlState; containers: Container[] }) {
  const { state, navigate } = url;
  return (
    <div class="board-filters graph-filters">
      <RootPick value={state.root} containers={containers} onPick={(root) => navigate({ root })} />
      <label class="board-pick">
        <span class="visually-hidden">Type</span>
        <select
          name="type"
          value={state.types.length === 1 ? state.types[0] : ''}
          onChange={(e) => navigate({ types: e.currentTarget.value ? [e.currentTarget.value as ItemType] : [] })}
        >
          <option value="">Any type</option>
          {TYPES.map((t) => (
            <option key={t} value={t}>
              {TYPE_LABEL[t]}
            </option>
          ))}
        </select>
      </label>
      <input
        type="search"
        class="board-text"
        name="q"
        placeholder="Filter nodes…"
        aria-label="Filter nodes by ID or title"
        value={url.qDraft}
        onInput={(e) => url.setQDraft(e.currentTarget.value)}
      />
      <label class="board-toggle">
        <input
          type="checkbox"
          name="done"
          checked={state.allDone === true}
          onChange={(e) => navigate({ allDone: e.currentTarget.checked || undefined })}
        />
        Finished items
      </label>
    </div>
  );
}

function Summary({ result }: { result: Extract<GraphResult, { kind: 'graph' }> }) {
  const { nodes, edges } = result.layout;
  const ready = nodes.filter((n) => n.ready).length;
  const hidden = result.hiddenFinished;
  return (
    <span
      class="graph-summary"
      data-nodes={nodes.length}
      data-edges={edges.length}
      data-layout-ms={Math.round(result.ms)}
    >
      {`${nodes.length} item${nodes.length === 1 ? '' : 's'} · ${edges.length} dependenc${edges.length === 1 ? 'y' : 'ies'} · ${ready} ready`}
      {hidden ? ` · ${hidden} finished hidden` : ''}
    </span>
  );
}

interface Props {
  url: UrlState;
  /** Bumped when containers may have been added, renamed or deleted. */
  optionsRev: number;
  onOpen(id: string): void;
}

export function GraphPane({ url, optionsRev, onOpen }: Props) {
  const { state } = url;
  const containers = useContainers(optionsRev);
  const typesKey = state.types.join(',');
  const query: GraphQuery = useMemo(
    () => ({
      root: state.root,
      showFinished: state.allDone === true,
      types: state.types as EntityType[],
      text: state.q,
    }),
    [state.root, state.allDone, typesKey, state.q],
  );
  const graph = useGraph(query);
  // A new question fits the new drawing to the screen; a live change keeps the reader's pan and zoom.
  const viewKey = `${query.root}|${query.showFinished}|${typesKey}|${query.text}`;
  return (
    <div class="graph-pane" aria-busy={graph.busy}>
      <Filters url={url} containers={containers} />
      <GraphBody graph={graph} viewKey={viewKey} onOpen={onOpen} />
    </div>
  );
}

function GraphBody({
  graph,
  viewKey,
  onOpen,
}: {
  graph: ReturnType<typeof useGraph>;
  viewKey: string;
  onOpen(id: string): void;
}) {
  const { result, error } = graph;
  if (error) return <div class="graph-message">Could not draw the graph: {error}</div>;
  if (!result) return <div class="graph-message">Laying out…</div>;
  if (result.kind === 'too-many') {
    return (
      <div class="graph-message" data-too-many={result.count}>
        {`${result.count} items match: more than the ${MAX_NODES} a readable graph can hold. Pick an epic, milestone or folder, a type or some text to narrow it.`}
      </div>
    );
  }
  if (!result.layout.nodes.length) {
    return <div class="graph-message">Nothing to draw: no item matches. Try "Finished items" or another filter.</div>;
  }
  return (
    <GraphView
      key={viewKey}
      layout={result.layout}
      criticalPath={result.criticalPath}
      onOpen={onOpen}
      caption={<Summary result={result} />}
    />
  );
}
