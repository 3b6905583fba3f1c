import './bits.css';
import './markdown.css';
import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { type ItemType, STATUS_LABEL, type Status, TYPE_LABEL } from '../api';
import { drawMermaid, renderMarkdown } from '../markdown';

function StatusGlyph({ status }: { status: Status }) {
  switch (status) {
    case 'open':
      return <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="2" />;
    case 'in_progress':
      return (
        <>
          <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="2" />
          <path d="M8 4a4 4 0 0 1 0 8z" fill="currentColor" />
        </>
      );
    case 'blocked':
      return (
        <>
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path d="M4.5 8h7" stroke="var(--bg)" stroke-width="2" stroke-linecap="round" />
        </>
      );
    case 'done':
      return (
        <>
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path d="M5 8.2l2 2 4-4.2" fill="none" stroke="var(--bg)" stroke-width="1.8" stroke-linecap="round" />
        </>
      );
    default:
      return (
        <>
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path d="M5.5 5.5l5 5M10.5 5.5l-5 5" stroke="var(--bg)" stroke-width="1.6" stroke-linecap="round" />
        </>
      );
  }
}

/** The status as a shape and a colour (never colour alone), named for screen readers. */
export function StatusIcon({ status, size = 14 }: { status: Status; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" class={`status-icon s-${status}`} role="img">
      <title>{STATUS_LABEL[status] ?? status}</title>
      <StatusGlyph status={status} />
    </svg>
  );
}

export function StatusChip({ status }: { status: Status }) {
  return (
    <span class={`chip status-chip s-${status}`}>
      <StatusIcon status={status} size={12} />
      {STATUS_LABEL[status] ?? status}
    </span>
  );
}

export function TypeBadge({ type }: { type: ItemType }) {
  return <span class={`type-badge t-${type}`}>{TYPE_LABEL[type] ?? type}</span>;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const dateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const dateYearFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function fullDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : fullFormat.format(date);
}

export function shortAgo(iso: string, now = Date.now()): string {
  const date = new Date(iso);
  const time = date.getTime();
  if (Number.isNaN(time)) return iso;
  const seconds = Math.round((time - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86_400) return relative.format(Math.round(seconds / 86_400), 'day');
  return date.getFullYear() === new Date(now).getFullYear() ? dateFormat.format(date) : dateYearFormat.format(date);
}

export function Time({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={fullDate(iso)}>
      {shortAgo(iso)}
    </time>
  );
}

/** Highlights the query's words inside plain text, without ever producing HTML. */
export function Highlight({ text, query }: { text: string; query: string }) {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 1)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (words.length === 0) return <>{text}</>;
  const parts = text.split(new RegExp(`(${words.join('|')})`, 'gi'));
  return <>{parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part))}</>;
}

/** A Markdown body: sanitised HTML, then mermaid diagrams drawn in place. */
export function Markdown({ source, dark }: { source: string; dark: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const root = ref.current;
    if (!root) return;
    root.innerHTML = renderMarkdown(source); // sanitised by DOMPurify in renderMarkdown
  }, [source]);
  useEffect(() => {
    if (ref.current) void drawMermaid(ref.current, dark);
  }, [source, dark]);
  return <div class="markdown" ref={ref} />;
}

export function Empty({ title, children }: { title: string; children?: JSX.Element | JSX.Element[] | string }) {
  return (
    <div class="empty">
      <div class="empty-title">{title}</div>
      {children ? <div class="empty-body">{children}</div> : null}
    </div>
  );
}

export function Kbd({ children }: { children: string }) {
  return <kbd>{children}</kbd>;
}
