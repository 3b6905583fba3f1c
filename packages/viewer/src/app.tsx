import './app.css';
import type { RefObject } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { knownStubs } from './api';
import { Detail } from './components/detail';
import { FilterBar } from './components/filter-bar';
import { ItemList, type ListHandle } from './components/list';
import { Placeholder } from './components/placeholder';
import { Spotlight } from './components/spotlight';
import { Timeline } from './components/timeline';
import { Topbar } from './components/topbar';
import { type FilterOptions, useFilterOptions } from './hooks/use-filter-options';
import { useKeyboard } from './hooks/use-keyboard';
import { useLive } from './hooks/use-live';
import { useTheme } from './hooks/use-theme';
import { type UrlState, useListFilter, useUrlState } from './hooks/use-url-state';
import type { ListMeta } from './hooks/use-windowed-pages';
import { DEFAULT_STATE, toggleLabel } from './url-state';

/** The tab's title names the open item. */
function useDocumentTitle(id: string | undefined): void {
  useEffect(() => {
    const title = id ? knownStubs.get(id)?.title : undefined;
    document.title = id ? `${id}${title ? ` · ${title}` : ''} — backlog-mcp` : 'backlog-mcp';
  });
}

export function App() {
  const [theme, dark, cycleTheme] = useTheme();
  const url = useUrlState();
  const { state, stateRef, navigate } = url;
  const { live, epicsRev, labelsRev } = useLive();
  const [meta, setMeta] = useState<ListMeta>({ total: 0 });
  const options = useFilterOptions(epicsRev, labelsRev);
  const listHandle = useRef<ListHandle | null>(null);

  const open = useCallback((id: string) => navigate({ id, spot: undefined }), [navigate]);
  const closeDetail = useCallback(() => navigate({ id: undefined }), [navigate]);
  const onLabel = useCallback(
    (label: string) => navigate({ labels: toggleLabel(stateRef.current.labels, label) }),
    [navigate],
  );
  useKeyboard(stateRef, navigate, listHandle);
  useDocumentTitle(state.id);

  return (
    <div class={`app${state.id ? ' has-detail' : ''}`}>
      <Topbar
        view={state.view}
        live={live}
        theme={theme}
        dark={dark}
        onCycleTheme={cycleTheme}
        onHome={() => {
          url.setQDraft('');
          navigate({ ...DEFAULT_STATE });
        }}
        navigate={navigate}
      />

      <main class="panes">
        <section class="left-pane" aria-label={state.view === 'items' ? 'Item list' : 'Activity timeline'}>
          {state.view === 'items' ? (
            <ItemsPane
              url={url}
              meta={meta}
              onMeta={setMeta}
              options={options}
              listHandle={listHandle}
              onOpen={open}
              onLabel={onLabel}
            />
          ) : (
            <Timeline forId={state.for} selectedId={state.id} onFilter={(id) => navigate({ for: id })} onOpen={open} />
          )}
        </section>
        <section class="right-pane">
          {state.id ? (
            <Detail
              key={state.id}
              id={state.id}
              dark={dark}
              onOpen={open}
              onBack={closeDetail}
              onShowActivity={(id) => navigate({ view: 'activity', for: id })}
              chosenLabels={state.labels}
              onLabel={onLabel}
            />
          ) : (
            <Placeholder />
          )}
        </section>
      </main>

      {state.spot !== undefined ? (
        <Spotlight
          query={state.spot}
          onQuery={(q) => navigate({ spot: q }, true)}
          onOpen={open}
          onClose={() => navigate({ spot: undefined }, true)}
        />
      ) : null}
    </div>
  );
}

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
