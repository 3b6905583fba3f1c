import './filter-bar.css';
import { type Counts, type ItemType, type LabelCount, STATUS_LABEL, STATUSES, TYPE_LABEL, TYPES } from '../api';
import type { EpicOption } from '../hooks/use-filter-options';
import type { Navigate } from '../hooks/use-url-state';
import type { ListMeta } from '../hooks/use-windowed-pages';
import type { ViewState } from '../url-state';
import { LabelChip } from './labels';

interface Props {
  state: ViewState;
  navigate: Navigate;
  /** The list's total and counts per status, from its last page. */
  meta: ListMeta;
  epics: EpicOption[];
  epicTitles: ReadonlyMap<string, string>;
  labelCounts: LabelCount[];
  qDraft: string;
  setQDraft(q: string): void;
  onLabel(label: string): void;
}

function sum(counts: Counts | undefined, statuses: readonly string[]): number | undefined {
  if (!counts) return undefined;
  return statuses.reduce((n, s) => n + (counts.by_status[s] ?? 0), 0);
}

/** The filters above the item list: status, sort, type, epic, labels and words. */
export function FilterBar(props: Props) {
  const { state, navigate, meta, labelCounts } = props;
  return (
    <div class="filters">
      <StatusRow state={state} navigate={navigate} counts={meta.counts} />
      <SelectRow {...props} />
      {labelCounts.length || state.labels.length ? (
        <LabelFilter state={state} navigate={navigate} labelCounts={labelCounts} onLabel={props.onLabel} />
      ) : null}
      <FilterInput qDraft={props.qDraft} setQDraft={props.setQDraft} navigate={navigate} total={meta.total} />
    </div>
  );
}

/** Active / Done / All with their counts, and the sort. */
function StatusRow({ state, navigate, counts }: { state: ViewState; navigate: Navigate; counts?: Counts }) {
  const quick = [
    { key: 'active', label: 'Active', n: sum(counts, ['open', 'in_progress', 'blocked']) },
    { key: 'done', label: 'Done', n: sum(counts, ['done', 'cancelled']) },
    { key: 'all', label: 'All', n: sum(counts, STATUSES) },
  ];
  return (
    <div class="filters-row">
      <fieldset class="segmented" aria-label="Status">
        {quick.map((q) => (
          <button
            type="button"
            key={q.key}
            class={state.status === q.key ? 'seg active' : 'seg'}
            aria-pressed={state.status === q.key}
            onClick={() => navigate({ status: q.key })}
          >
            {q.label}
            {q.n !== undefined ? <span class="seg-count">{q.n}</span> : null}
          </button>
        ))}
      </fieldset>
      <select
        aria-label="Sort"
        class="select compact"
        value={state.sort}
        onChange={(e) => navigate({ sort: (e.target as HTMLSelectElement).value as ViewState['sort'] })}
      >
        <option value="updated">Last updated</option>
        <option value="created">Newest created</option>
      </select>
    </div>
  );
}

/** One status, one type, one epic. */
function SelectRow({ state, navigate, meta, epics, epicTitles }: Props) {
  const counts = meta.counts;
  return (
    <div class="filters-row">
      <select
        aria-label="Status filter"
        class="select"
        value={STATUSES.includes(state.status as (typeof STATUSES)[number]) ? state.status : ''}
        onChange={(e) => navigate({ status: (e.target as HTMLSelectElement).value || 'active' })}
      >
        <option value="">Any status</option>
        {STATUSES.map((s) => (
          <option value={s} key={s}>
            {STATUS_LABEL[s]}
            {counts ? ` (${counts.by_status[s] ?? 0})` : ''}
          </option>
        ))}
      </select>
      <select
        aria-label="Type filter"
        class="select"
        value={state.types.length === 1 ? state.types[0] : ''}
        onChange={(e) => {
          const value = (e.target as HTMLSelectElement).value as ItemType | '';
          navigate({ types: value ? [value] : [] });
        }}
      >
        <option value="">All types</option>
        {TYPES.map((t) => (
          <option value={t} key={t}>
            {TYPE_LABEL[t]}
          </option>
        ))}
      </select>
      <select
        aria-label="Epic filter"
        class="select"
        value={state.epic ?? ''}
        onChange={(e) => navigate({ epic: (e.target as HTMLSelectElement).value || undefined })}
      >
        <option value="">All epics</option>
        {state.epic && !epicTitles.has(state.epic) ? <option value={state.epic}>{state.epic}</option> : null}
        {epics.map((e) => (
          <option value={e.id} key={e.id}>
            {e.id} · {e.title}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Items must carry all the chosen labels: a select to add one, chips to take one out. */
function LabelFilter({
  state,
  navigate,
  labelCounts,
  onLabel,
}: {
  state: ViewState;
  navigate: Navigate;
  labelCounts: LabelCount[];
  onLabel(label: string): void;
}) {
  return (
    <fieldset class="filters-row label-filter" aria-label="Labels">
      <select
        aria-label="Label filter"
        class="select compact label-select"
        value=""
        onChange={(e) => {
          const select = e.target as HTMLSelectElement;
          const label = select.value;
          select.value = '';
          if (label) onLabel(label);
        }}
      >
        <option value="">{state.labels.length ? 'Add label…' : 'Any label'}</option>
        {labelCounts
          .filter((l) => !state.labels.includes(l.name))
          .map((l) => (
            <option value={l.name} key={l.name}>
              {l.name} ({l.count})
            </option>
          ))}
      </select>
      {state.labels.length > 1 ? <span class="label-filter-all">all of</span> : null}
      {state.labels.map((label) => (
        <LabelChip key={label} label={label} active removable onToggle={onLabel} />
      ))}
      {state.labels.length ? (
        <button type="button" class="link-button clear-labels" onClick={() => navigate({ labels: [] })}>
          Clear
        </button>
      ) : null}
    </fieldset>
  );
}

/** Words or an ID, and how many items match. */
function FilterInput({
  qDraft,
  setQDraft,
  navigate,
  total,
}: {
  qDraft: string;
  setQDraft(q: string): void;
  navigate: Navigate;
  total: number;
}) {
  return (
    <div class="filter-input">
      <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true">
        <path d="M3 5h18l-7 8v6l-4-2v-4z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
      </svg>
      <input
        type="search"
        placeholder="Filter by words or ID"
        aria-label="Filter the list"
        value={qDraft}
        onInput={(e) => setQDraft((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') navigate({ q: qDraft }, true);
        }}
      />
      <span class="total" aria-live="polite">
        {total.toLocaleString()} {total === 1 ? 'item' : 'items'}
      </span>
    </div>
  );
}
