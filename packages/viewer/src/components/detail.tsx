import { useEffect, useState } from 'preact/hooks';
import { type ActivityEntry, activity, getItem, type Item, listItems, NotFound, STATUSES, type Stub } from '../api';
import { onLive } from '../bus';
import { Empty, fullDate, Markdown, StatusChip, StatusIcon, Time, TypeBadge } from './bits';
import { LabelChip } from './labels';
import { TimelineEntry } from './timeline';

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

interface Loaded {
  item: Item;
  path: Stub[];
  children: Stub[];
  history: ActivityEntry[];
  names: Map<string, Stub>;
}

async function loadDetail(id: string): Promise<Loaded> {
  const item = await getItem(id);
  const names = new Map<string, Stub>();
  // The path up: parents first, else the epic; at most 8 levels (the core forbids cycles anyway).
  const path: Stub[] = [];
  const seen = new Set([item.id]);
  let up = item.parent_id ?? item.epic_id;
  while (up && !seen.has(up) && path.length < 8) {
    seen.add(up);
    const parent = await getItem(up).catch(() => undefined);
    if (!parent) break;
    path.unshift(parent);
    up = parent.parent_id ?? parent.epic_id;
  }
  for (const p of path) names.set(p.id, p);
  const all = [...STATUSES];
  const [byParent, byEpic, history, epic] = await Promise.all([
    item.type === 'artifact'
      ? Promise.resolve({ items: [] as Stub[] })
      : listItems({ status: all, types: [], parent: item.id, sort: 'updated' }, 0, 200),
    item.type === 'epic'
      ? listItems({ status: all, types: [], epic: item.id, sort: 'updated' }, 0, 200)
      : Promise.resolve({ items: [] as Stub[] }),
    activity(item.id, 20),
    item.epic_id && !names.has(item.epic_id) ? getItem(item.epic_id).catch(() => undefined) : undefined,
  ]);
  if (epic) names.set(epic.id, epic);
  const children = [...byParent.items];
  for (const stub of byEpic.items) if (!children.some((c) => c.id === stub.id)) children.push(stub);
  const blockers = await Promise.all(
    (item.blocked_by ?? []).slice(0, 20).map((b) => (names.has(b) ? undefined : getItem(b).catch(() => undefined))),
  );
  for (const b of blockers) if (b) names.set(b.id, b);
  return { item, path, children, history, names };
}

function ItemLink({ id, names, onOpen }: { id: string; names: Map<string, Stub>; onOpen(id: string): void }) {
  const stub = names.get(id);
  return (
    <a
      class="item-link"
      href={`?id=${encodeURIComponent(id)}`}
      onClick={(e) => {
        e.preventDefault();
        onOpen(id);
      }}
    >
      {stub ? <StatusIcon status={stub.status} size={12} /> : null}
      <span class="mono">{id}</span>
      {stub ? <span class="item-link-title">{stub.title}</span> : null}
    </a>
  );
}

function safeUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url, window.location.href);
    return ['http:', 'https:', 'mailto:'].includes(parsed.protocol) ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

export function Detail({ id, dark, onOpen, onBack, onShowActivity, chosenLabels, onLabel }: Props) {
  const [state, setState] = useState<{ id: string; data?: Loaded; missing?: boolean; error?: string }>({ id });
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let cancelled = false;
    loadDetail(id)
      .then((data) => !cancelled && setState({ id, data }))
      .catch((e: unknown) => {
        if (cancelled) return;
        if (e instanceof NotFound) setState({ id, missing: true });
        else setState((s) => ({ ...s, id, error: e instanceof Error ? e.message : String(e) }));
      });
    return () => {
      cancelled = true;
    };
  }, [id, reload]);

  // Live: refetch when this item, an ancestor or a child changed, or something new may be a child.
  useEffect(
    () =>
      onLive((events) => {
        const data = state.data;
        const related = new Set([
          id,
          ...(data?.path ?? []).map((p) => p.id),
          ...(data?.children ?? []).map((c) => c.id),
        ]);
        if (events === 'reset' || events.some((e) => e.kind === 'created' || (e.item_id && related.has(e.item_id))))
          setReload((n) => n + 1);
      }),
    [id, state.data],
  );

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
          <nav class="breadcrumbs" aria-label="Path">
            {path.map((p) => (
              <span class="crumb" key={p.id}>
                <a
                  href={`?id=${encodeURIComponent(p.id)}`}
                  onClick={(e) => {
                    e.preventDefault();
                    onOpen(p.id);
                  }}
                >
                  {p.title}
                </a>
                <span class="crumb-sep" aria-hidden="true">
                  /
                </span>
              </span>
            ))}
            <span class="crumb current mono">{item.id}</span>
          </nav>
          <h1 class="detail-title">{item.title}</h1>
          <div class="detail-chips">
            <StatusChip status={item.status} />
            <TypeBadge type={item.type} />
            {item.priority ? <span class={`chip prio prio-${item.priority}`}>{item.priority} priority</span> : null}
            {item.assignee ? <span class="chip">@{item.assignee}</span> : null}
          </div>
          {item.labels?.length ? (
            <fieldset class="detail-labels" aria-label="Labels">
              {item.labels.map((label) => (
                <LabelChip key={label} label={label} active={chosenLabels.includes(label)} onToggle={onLabel} />
              ))}
            </fieldset>
          ) : null}

          {item.blocked_reason?.length ? (
            <div class="callout callout-blocked">
              <div class="callout-title">Blocked</div>
              <ul>
                {item.blocked_reason.map((reason, i) => (
                  <li key={i}>{reason}</li>
                ))}
              </ul>
            </div>
          ) : null}

          <dl class="facts">
            {item.parent_id ? (
              <div>
                <dt>Parent</dt>
                <dd>
                  <ItemLink id={item.parent_id} names={names} onOpen={onOpen} />
                </dd>
              </div>
            ) : null}
            {item.epic_id ? (
              <div>
                <dt>Epic</dt>
                <dd>
                  <ItemLink id={item.epic_id} names={names} onOpen={onOpen} />
                </dd>
              </div>
            ) : null}
            {item.blocked_by?.length ? (
              <div>
                <dt>Blocked by</dt>
                <dd class="stack">
                  {item.blocked_by.map((b) => (
                    <ItemLink key={b} id={b} names={names} onOpen={onOpen} />
                  ))}
                </dd>
              </div>
            ) : null}
            {item.due_date ? (
              <div>
                <dt>Due</dt>
                <dd>{item.due_date}</dd>
              </div>
            ) : null}
            <div>
              <dt>Created</dt>
              <dd title={item.created_at}>{fullDate(item.created_at)}</dd>
            </div>
            <div>
              <dt>Updated</dt>
              <dd title={item.updated_at}>
                {fullDate(item.updated_at)} · <Time iso={item.updated_at} />
              </dd>
            </div>
          </dl>

          {item.description.trim() ? (
            <Markdown source={item.description} dark={dark} />
          ) : (
            <p class="muted no-body">No description.</p>
          )}

          {item.evidence?.length ? (
            <section class="block">
              <h2>Evidence</h2>
              <ul class="evidence">
                {item.evidence.map((e, i) => (
                  <li key={i}>{e}</li>
                ))}
              </ul>
            </section>
          ) : null}

          {item.references?.length ? (
            <section class="block">
              <h2>References</h2>
              <ul class="references">
                {item.references.map((r, i) => {
                  const href = safeUrl(r.url);
                  return (
                    <li key={i}>
                      {href ? (
                        <a href={href} target="_blank" rel="noopener noreferrer">
                          {r.title || r.url}
                        </a>
                      ) : (
                        <span>{r.title || r.url}</span>
                      )}
                      {r.title ? <span class="muted ref-url">{r.url}</span> : null}
                    </li>
                  );
                })}
              </ul>
            </section>
          ) : null}

          {children.length ? (
            <section class="block">
              <h2>
                {item.type === 'epic' ? 'In this epic' : 'Children'} <span class="count">{children.length}</span>
              </h2>
              <ul class="children">
                {children.map((c) => (
                  <li key={c.id}>
                    <a
                      href={`?id=${encodeURIComponent(c.id)}`}
                      onClick={(e) => {
                        e.preventDefault();
                        onOpen(c.id);
                      }}
                    >
                      <StatusIcon status={c.status} />
                      <span class="mono">{c.id}</span>
                      <span class="child-title">{c.title}</span>
                      <Time iso={c.updated_at} />
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}

          <section class="block">
            <h2>
              Activity
              <button type="button" class="link-button" onClick={() => onShowActivity(item.id)}>
                Open in timeline
              </button>
            </h2>
            {history.length ? (
              <ol class="timeline compact">
                {history.map((entry, i) => (
                  <TimelineEntry key={`${entry.at}-${i}`} entry={entry} onOpen={onOpen} showId={false} />
                ))}
              </ol>
            ) : (
              <p class="muted">No recorded activity.</p>
            )}
          </section>
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
