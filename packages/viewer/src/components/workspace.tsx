import type { JSX, RefObject } from 'preact';
import { useCallback, useState } from 'preact/hooks';
import { type FilterOptions, useFilterOptions } from '../hooks/use-filter-options';
import type { LiveFeed } from '../hooks/use-live';
import { type UrlState, useListFilter } from '../hooks/use-url-state';
import type { ListMeta } from '../hooks/use-windowed-pages';
import { toggleLabel, type ViewState } from '../url-state';
import { GraphPane } from '../views/graph/graph-pane';
import { Agents } from './agents';
import { Board } from './board';
import { Detail } from './detail';
import { FilterBar } from './filter-bar';
import { ItemList, type ListHandle } from './list';
import { Placeholder } from './placeholder';
import { Progress } from './progress';
import { Timeline } from './timeline';

interface Props {
  url: UrlState;
  feed: LiveFeed;
  dark: boolean;
  listHandle: RefObject<ListHandle | null>;
  onOpen(id: string): void;
}

/**
 * The two panes of one backlog: the list (or the timeline) and the detail. The app mounts a new
 * one for each project, so nothing fetched for one (pages, counts, epics, labels) shows in another.
 */
export function Workspace({ url, feed, dark, listHandle, onOpen }: Props) {
  const { state, stateRef, navigate } = url;
  const [meta, setMeta] = useState<ListMeta>({ total: 0 });
  const options = useFilterOptions(feed.epicsRev, feed.labelsRev);
  const closeDetail = useCallback(() => navigate({ id: undefined }), [navigate]);
  const onLabel = useCallback(
    (label: string) => navigate({ labels: toggleLabel(stateRef.current.labels, label) }),
    [navigate],
  );
  const detail = state.id ? (
    <Detail
      key={state.id}
      id={state.id}
      dark={dark}
      onOpen={onOpen}
      onBack={closeDetail}
      onShowActivity={(id) => navigate({ view: 'activity', for: id })}
      chosenLabels={state.labels}
      onLabel={onLabel}
    />
  ) : null;
  // Board, Graph, Progress and Agents keep their place and show the detail beside them (a sheet on a phone):
  // a live move stays visible while an item is read.
  const wide = WIDE_VIEWS[state.view];
  if (wide) {
    return (
      <main class={`panes board-panes${detail && SIDE_DETAIL.has(state.view) ? ' with-detail' : ''}`}>
        {wide({ url, options, feed, onOpen })}
        {detail ? (
          <aside class="board-detail" aria-label="Item detail">
            {detail}
          </aside>
        ) : null}
      </main>
    );
  }
  return (
    <main class="panes">
      <section class="left-pane" aria-label={state.view === 'items' ? 'Item list' : 'Activity timeline'}>
        {state.view === 'items' ? (
          <ItemsPane
            url={url}
            meta={meta}
            onMeta={setMeta}
            options={options}
            listHandle={listHandle}
            onOpen={onOpen}
            onLabel={onLabel}
          />
        ) : (
          <Timeline forId={state.for} selectedId={state.id} onFilter={(id) => navigate({ for: id })} onOpen={onOpen} />
        )}
      </section>
      <section class="right-pane">{detail ?? <Placeholder />}</section>
    </main>
  );
}

interface WideProps {
  url: UrlState;
  options: FilterOptions;
  feed: LiveFeed;
  onOpen: (id: string) => void;
}

/** The wide views that narrow to keep the detail beside them (the others let it cover them). */
const SIDE_DETAIL: ReadonlySet<ViewState['view']> = new Set(['board', 'graph']);

/** The full-width views, by name. */
const WIDE_VIEWS: Partial<Record<ViewState['view'], (props: WideProps) => JSX.Element>> = {
  board: ({ url, options, feed, onOpen }) => (
    <Board
      url={url}
      epics={options.epics}
      epicTitles={options.epicTitles}
      // Epics, or any item created or deleted (a new milestone or folder): the pickers reload.
      optionsRev={feed.epicsRev + feed.labelsRev}
      onOpen={onOpen}
    />
  ),
  graph: ({ url, feed, onOpen }) => <GraphPane url={url} optionsRev={feed.epicsRev + feed.labelsRev} onOpen={onOpen} />,
  // The chosen burn-up is the view's root, as the graph's is: a link shows the same chart, and the
  // Graph tab then opens on the same milestone or epic.
  progress: ({ url, onOpen }) => (
    <Progress chosen={url.state.root} onChoose={(root) => url.navigate({ root })} onOpen={onOpen} />
  ),
  agents: ({ url, onOpen }) => <Agents selectedId={url.state.id} onOpen={onOpen} />,
};

interface ItemsPaneProps {
  url: UrlState;
  meta: ListMeta;
  onMeta(meta: ListMeta): void;
  options: FilterOptions;
  listHandle: RefObject<ListHandle | null>;
  onOpen(id: string): void;
  onLabel(label: string): void;
}

/** The left pane's Items view: the filters over the windowed list. */
function ItemsPane({ url, meta, onMeta, options, listHandle, onOpen, onLabel }: ItemsPaneProps) {
  const { state, navigate } = url;
  const { filter, filterKey } = useListFilter(state);
  return (
    <>
      <FilterBar
        state={state}
        navigate={navigate}
        meta={meta}
        epics={options.epics}
        epicTitles={options.epicTitles}
        labelCounts={options.labelCounts}
        qDraft={url.qDraft}
        setQDraft={url.setQDraft}
        onLabel={onLabel}
      />
      <ItemList
        filter={filter}
        filterKey={filterKey}
        selectedId={state.id}
        onOpen={onOpen}
        onMeta={onMeta}
        handle={listHandle}
        epicTitles={options.epicTitles}
        chosenLabels={state.labels}
        onLabel={onLabel}
      />
    </>
  );
}
