import './timeline.css';
import { useEffect, useState } from 'preact/hooks';
import { type ActivityEntry, activity, knownStubs, STATUS_LABEL, type Status, stubs } from '../api';
import { onLive } from '../bus';
import { shownProject } from '../scope';
import { itemHref } from '../url-state';
import { Empty } from './bits';

const FIELD_LABEL: Record<string, string> = {
  description: 'body',
  blocked_reason: 'blocked reason',
  epic_id: 'epic',
  parent_id: 'parent',
  due_date: 'due date',
  blocked_by: 'blockers',
};

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
  year: 'numeric',
});

function dayLabel(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const key = (d: Date) => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
  if (key(date) === key(now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (key(date) === key(yesterday)) return 'Yesterday';
  return dayFormat.format(date);
}

/** "created", "status → done", "changed title, epic", "edited the body": the gist of one entry. */
/** "status → in_progress" reads "status → In progress". */
function readable(summary: string | undefined): string | undefined {
  return summary?.replace(/status → (\w+)/, (whole, status: string) =>
    status in STATUS_LABEL ? `status → ${STATUS_LABEL[status as Status]}` : whole,
  );
}

export function describe(entry: ActivityEntry): { verb: string; detail?: string } {
  switch (entry.action) {
    case 'created':
      return { verb: 'created', detail: entry.summary };
    case 'deleted':
      return { verb: 'deleted', detail: entry.summary };
    case 'edited':
      return { verb: 'edited the body', detail: entry.summary ? `(${entry.summary})` : undefined };
    default: {
      const fields = (entry.fields ?? []).filter((f) => f !== 'status' && f !== 'updated_at');
      const parts: string[] = [];
      const summary = readable(entry.summary);
      if (summary) parts.push(summary);
      if (fields.length) parts.push(`changed ${fields.map((f) => FIELD_LABEL[f] ?? f).join(', ')}`);
      return { verb: 'updated', detail: parts.join(' · ') || undefined };
    }
  }
}

export function TimelineEntry({
  entry,
  onOpen,
  showId = true,
}: {
  entry: ActivityEntry;
  onOpen(id: string): void;
  showId?: boolean;
}) {
  const { verb, detail } = describe(entry);
  const who = entry.actor ?? entry.tool;
  const status = /status → (\w+)/.exec(entry.summary ?? '')?.[1];
  return (
    <li class={`tl-entry a-${entry.action}${status ? ` to-${status}` : ''}`}>
      <span class="tl-dot" aria-hidden="true" />
      <div class="tl-body">
        <div class="tl-line">
          <span class="tl-who">{who}</span> <span class="tl-verb">{verb}</span>{' '}
          {showId && entry.id ? (
            <a
              class="mono tl-id"
              href={itemHref(entry.id, shownProject())}
              onClick={(e) => {
                e.preventDefault();
                if (entry.id) onOpen(entry.id);
              }}
            >
              {entry.id}
            </a>
          ) : null}
          {showId && entry.id && knownStubs.get(entry.id) ? (
            <span class="tl-title">{knownStubs.get(entry.id)?.title}</span>
          ) : null}
          {showId && !entry.id && entry.uri ? <span class="mono tl-id">{entry.uri}</span> : null}
        </div>
        {detail ? <div class="tl-detail">{detail}</div> : null}
        <div class="tl-meta">
          <time dateTime={entry.at} title={new Date(entry.at).toLocaleString()}>
            {timeFormat.format(new Date(entry.at))}
          </time>
          {entry.actor && entry.tool ? <span> · via {entry.tool}</span> : null}
        </div>
      </div>
    </li>
  );
}

interface Props {
  forId?: string;
  selectedId?: string;
  onFilter(id: string | undefined): void;
  onOpen(id: string): void;
}

/** The journal, newest first, grouped by day; optionally only one item's history. */
export function Timeline({ forId, selectedId, onFilter, onOpen }: Props) {
  const [entries, setEntries] = useState<ActivityEntry[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [reload, setReload] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    activity(forId, 300, controller.signal)
      .then(async (list) => {
        // Name the items mentioned (a hundred at most per call); unknown ones just show their ID.
        const missing = [...new Set(list.flatMap((e) => (e.id && !knownStubs.has(e.id) ? [e.id] : [])))];
        for (let i = 0; i < missing.length && i < 300; i += 100)
          await stubs(missing.slice(i, i + 100), controller.signal).catch(() => []);
        if (controller.signal.aborted) return;
        setEntries(list);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      });
    return () => controller.abort();
  }, [forId, reload]);

  useEffect(
    () =>
      onLive((events) => {
        if (events === 'reset' || !forId || events.some((e) => e.item_id === forId)) setReload((n) => n + 1);
      }),
    [forId],
  );

  const groups: { day: string; entries: ActivityEntry[] }[] = [];
  for (const entry of entries ?? []) {
    const day = dayLabel(entry.at);
    const group = groups[groups.length - 1];
    if (group && group.day === day) group.entries.push(entry);
    else groups.push({ day, entries: [entry] });
  }

  return (
    <div class="timeline-pane">
      <TimelineFilter forId={forId} selectedId={selectedId} onFilter={onFilter} />
      <div class="timeline-scroll">
        {error ? <div class="list-error">{error}</div> : null}
        {entries && entries.length === 0 ? (
          <Empty title="No activity yet">Changes made by agents show up here.</Empty>
        ) : null}
        {groups.map((group) => (
          <section class="tl-day" key={group.day}>
            <h3 class="tl-day-label">{group.day}</h3>
            <ol class="timeline">
              {group.entries.map((entry, i) => (
                <TimelineEntry key={`${entry.at}-${entry.id ?? entry.uri}-${i}`} entry={entry} onOpen={onOpen} />
              ))}
            </ol>
          </section>
        ))}
      </div>
    </div>
  );
}

/** Narrows the timeline to one item: typed, or the open one in a click. */
function TimelineFilter({ forId, selectedId, onFilter }: Omit<Props, 'onOpen'>) {
  const [draft, setDraft] = useState(forId ?? '');

  useEffect(() => setDraft(forId ?? ''), [forId]);

  return (
    <form
      class="timeline-filter"
      onSubmit={(e) => {
        e.preventDefault();
        onFilter(draft.trim() ? draft.trim().toUpperCase() : undefined);
      }}
    >
      <input
        type="search"
        placeholder="Filter to one item, e.g. TASK-0001"
        value={draft}
        aria-label="Filter the timeline to one item"
        onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
      />
      {forId ? (
        <button type="button" class="chip-button active" onClick={() => onFilter(undefined)}>
          {forId} ✕
        </button>
      ) : selectedId ? (
        <button type="button" class="chip-button" onClick={() => onFilter(selectedId)}>
          Only {selectedId}
        </button>
      ) : null}
    </form>
  );
}
