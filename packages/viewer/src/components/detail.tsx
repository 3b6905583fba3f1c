import './detail.css';
import type { Item, Stub } from '../api';
import { useDetail } from '../hooks/use-detail';
import { Empty, Markdown, StatusChip, TypeBadge } from './bits';
import { Children, Evidence, Facts, linkTo, RecentActivity, References } from './detail-sections';
import { LabelChip } from './labels';

interface Props {
  id: string;
  dark: boolean;
  onOpen(id: string): void;
  onBack(): void;
  onShowActivity(id: string): void;
  /** The list's label filter, and a click on a label chip. */
  chosenLabels: readonly string[];
  onLabel(label: string): void;
}

export function Detail({ id, dark, onOpen, onBack, onShowActivity, chosenLabels, onLabel }: Props) {
  const state = useDetail(id);
  const data = state.id === id ? state.data : undefined;
  if (state.id === id && state.missing)
    return (
      <section class="detail">
        <DetailBar onBack={onBack} />
        <Empty title={`${id} does not exist`}>It may have been deleted.</Empty>
      </section>
    );
  if (!data)
    return (
      <section class="detail">
        <DetailBar onBack={onBack} />
        {state.error ? <div class="list-error">{state.error}</div> : <div class="detail-loading" />}
      </section>
    );
  const { item, path, children, history, names } = data;
  return (
    <section class="detail" aria-label={`${item.id} details`}>
      <DetailBar onBack={onBack} />
      <div class="detail-scroll">
        <article class="detail-inner">
          <Breadcrumbs path={path} id={item.id} onOpen={onOpen} />
          <h1 class="detail-title">{item.title}</h1>
          <DetailChips item={item} />
          {item.labels?.length ? (
            <fieldset class="detail-labels" aria-label="Labels">
              {item.labels.map((label) => (
                <LabelChip key={label} label={label} active={chosenLabels.includes(label)} onToggle={onLabel} />
              ))}
            </fieldset>
          ) : null}

          <BlockedCallout reasons={item.blocked_reason} />

          <Facts item={item} names={names} onOpen={onOpen} />

          {item.description.trim() ? (
            <Markdown source={item.description} dark={dark} />
          ) : (
            <p class="muted no-body">No description.</p>
          )}

          <Evidence evidence={item.evidence} />
          <References references={item.references} />
          <Children item={item} items={children} onOpen={onOpen} />
          <RecentActivity item={item} history={history} onOpen={onOpen} onShowActivity={onShowActivity} />
        </article>
      </div>
    </section>
  );
}

function DetailBar({ onBack }: { onBack(): void }) {
  return (
    <div class="detail-bar">
      <button type="button" class="back-button" onClick={onBack} aria-label="Back to the list">
        ← Back
      </button>
    </div>
  );
}

/** The path down to the item: its ancestors (or its epic), then its ID. */
function Breadcrumbs({ path, id, onOpen }: { path: Stub[]; id: string; onOpen(id: string): void }) {
  return (
    <nav class="breadcrumbs" aria-label="Path">
      {path.map((p) => (
        <span class="crumb" key={p.id}>
          <a {...linkTo(p.id, onOpen)}>{p.title}</a>
          <span class="crumb-sep" aria-hidden="true">
            /
          </span>
        </span>
      ))}
      <span class="crumb current mono">{id}</span>
    </nav>
  );
}

function DetailChips({ item }: { item: Item }) {
  return (
    <div class="detail-chips">
      <StatusChip status={item.status} />
      <TypeBadge type={item.type} />
      {item.priority ? <span class={`chip prio prio-${item.priority}`}>{item.priority} priority</span> : null}
      {item.assignee ? <span class="chip">@{item.assignee}</span> : null}
    </div>
  );
}

function BlockedCallout({ reasons }: { reasons?: string[] }) {
  if (!reasons?.length) return null;
  return (
    <div class="callout callout-blocked">
      <div class="callout-title">Blocked</div>
      <ul>
        {reasons.map((reason, i) => (
          <li key={i}>{reason}</li>
        ))}
      </ul>
    </div>
  );
}
