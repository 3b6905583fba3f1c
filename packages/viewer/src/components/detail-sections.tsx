// The parts of an item's detail page below its title.
import type { ComponentChildren } from 'preact';
import type { ActivityEntry, Item, Stub } from '../api';
import { shownProject } from '../scope';
import { itemHref } from '../url-state';
import { fullDate, StatusIcon, Time } from './bits';
import { TimelineEntry } from './timeline';

type OnOpen = (id: string) => void;

/** An in-page link to an item: a real link (it can open in a new tab), opened in place on click. */
export function linkTo(id: string, onOpen: OnOpen) {
  return {
    // The shown project too: opened in a new tab, the link must show this backlog's item of that ID.
    href: itemHref(id, shownProject()),
    onClick: (e: Event) => {
      e.preventDefault();
      onOpen(id);
    },
  };
}

function ItemLink({ id, names, onOpen }: { id: string; names: Map<string, Stub>; onOpen: OnOpen }) {
  const stub = names.get(id);
  return (
    <a class="item-link" {...linkTo(id, onOpen)}>
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

interface FactProps {
  term: string;
  /** One per line (blockers). */
  stack?: boolean;
  title?: string;
  children: ComponentChildren;
}

function Fact({ term, stack = false, title, children }: FactProps) {
  return (
    <div>
      <dt>{term}</dt>
      <dd class={stack ? 'stack' : undefined} title={title}>
        {children}
      </dd>
    </div>
  );
}

/** Parent, epic, blockers, due date, created and updated. */
export function Facts({ item, names, onOpen }: { item: Item; names: Map<string, Stub>; onOpen: OnOpen }) {
  return (
    <dl class="facts">
      {item.parent_id ? (
        <Fact term="Parent">
          <ItemLink id={item.parent_id} names={names} onOpen={onOpen} />
        </Fact>
      ) : null}
      {item.epic_id ? (
        <Fact term="Epic">
          <ItemLink id={item.epic_id} names={names} onOpen={onOpen} />
        </Fact>
      ) : null}
      {item.blocked_by?.length ? (
        <Fact term="Blocked by" stack>
          {item.blocked_by.map((b) => (
            <ItemLink key={b} id={b} names={names} onOpen={onOpen} />
          ))}
        </Fact>
      ) : null}
      {item.due_date ? <Fact term="Due">{item.due_date}</Fact> : null}
      <Fact term="Created" title={item.created_at}>
        {fullDate(item.created_at)}
      </Fact>
      <Fact term="Updated" title={item.updated_at}>
        {fullDate(item.updated_at)} · <Time iso={item.updated_at} />
      </Fact>
    </dl>
  );
}

/** The evidence lines, when there are any. */
export function Evidence({ evidence }: { evidence?: string[] }) {
  if (!evidence?.length) return null;
  return (
    <section class="block">
      <h2>Evidence</h2>
      <ul class="evidence">
        {evidence.map((e, i) => (
          <li key={i}>{e}</li>
        ))}
      </ul>
    </section>
  );
}

/** Links (only http, https and mailto are clickable), when there are any. */
export function References({ references }: { references?: Item['references'] }) {
  if (!references?.length) return null;
  return (
    <section class="block">
      <h2>References</h2>
      <ul class="references">
        {references.map((r, i) => {
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
  );
}

/** An epic's items, or an item's children, when there are any. */
export function Children({ item, items, onOpen }: { item: Item; items: Stub[]; onOpen: OnOpen }) {
  if (!items.length) return null;
  return (
    <section class="block">
      <h2>
        {item.type === 'epic' ? 'In this epic' : 'Children'} <span class="count">{items.length}</span>
      </h2>
      <ul class="children">
        {items.map((c) => (
          <li key={c.id}>
            <a {...linkTo(c.id, onOpen)}>
              <StatusIcon status={c.status} />
              <span class="mono">{c.id}</span>
              <span class="child-title">{c.title}</span>
              <Time iso={c.updated_at} />
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The item's recent history, and a way to its full timeline. */
export function RecentActivity({
  item,
  history,
  onOpen,
  onShowActivity,
}: {
  item: Item;
  history: ActivityEntry[];
  onOpen: OnOpen;
  onShowActivity: OnOpen;
}) {
  return (
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
  );
}
