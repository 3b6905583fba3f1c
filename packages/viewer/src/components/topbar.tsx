import './topbar.css';
import type { ComponentChildren } from 'preact';
import type { Theme } from '../hooks/use-theme';
import type { Navigate } from '../hooks/use-url-state';
import type { LiveState } from '../live';
import { SEARCH_SHORTCUT, SEARCH_SHORTCUT_NAME } from '../platform';
import type { ViewState } from '../url-state';

interface Props {
  view: ViewState['view'];
  live: LiveState;
  theme: Theme;
  dark: boolean;
  onCycleTheme(): void;
  /** The brand link: back to the default view of the shown project, with an empty filter box. */
  onHome(): void;
  /** Where the brand link points (the shown project's default view), for a new tab. */
  homeHref: string;
  /** The project switcher, beside the brand: where the page is. */
  switcher: ComponentChildren;
  navigate: Navigate;
}

const VIEWS: { key: ViewState['view']; label: string }[] = [
  { key: 'items', label: 'Items' },
  { key: 'activity', label: 'Activity' },
  { key: 'board', label: 'Board' },
  { key: 'graph', label: 'Graph' },
  { key: 'progress', label: 'Progress' },
  { key: 'agents', label: 'Agents' },
];

/** The bar across the top: home, the project, the views, search, the live indicator and the theme. */
export function Topbar({ view, live, theme, dark, onCycleTheme, onHome, homeHref, switcher, navigate }: Props) {
  return (
    <header class="topbar">
      <a
        class="brand"
        href={homeHref}
        onClick={(e) => {
          e.preventDefault();
          onHome();
        }}
      >
        <svg width="22" height="22" viewBox="0 0 32 32" aria-hidden="true">
          <rect width="32" height="32" rx="8" fill="var(--accent)" />
          <path d="M9 10h14M9 16h10M9 22h6" stroke="#fff" stroke-width="3" stroke-linecap="round" />
        </svg>
        <span>backlog</span>
      </a>
      {switcher}
      <nav class="views" aria-label="View">
        {VIEWS.map((v) => (
          <button
            type="button"
            key={v.key}
            class={view === v.key ? 'view-tab active' : 'view-tab'}
            aria-pressed={view === v.key}
            onClick={() => navigate({ view: v.key })}
          >
            {v.label}
          </button>
        ))}
      </nav>
      <button
        type="button"
        class="search-button"
        onClick={() => navigate({ spot: '' }, true)}
        aria-label={`Search (${SEARCH_SHORTCUT_NAME})`}
        title={`Search (${SEARCH_SHORTCUT_NAME})`}
      >
        <svg width="15" height="15" viewBox="0 0 24 24" aria-hidden="true">
          <circle cx="11" cy="11" r="7" fill="none" stroke="currentColor" stroke-width="2" />
          <path d="M20 20l-3.5-3.5" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
        </svg>
        <span class="search-label">Search…</span>
        <kbd class="search-kbd">{SEARCH_SHORTCUT}</kbd>
      </button>
      <div class="topbar-right">
        <LiveBadge live={live} />
        <ThemeButton theme={theme} dark={dark} onCycle={onCycleTheme} />
      </div>
    </header>
  );
}

function LiveBadge({ live }: { live: LiveState }) {
  return (
    <span class={`live live-${live}`} title={live === 'live' ? 'Live: changes appear as they happen' : live}>
      <span class="live-dot" />
      <span class="live-label">{live === 'live' ? 'Live' : live === 'offline' ? 'Offline' : 'Connecting'}</span>
    </span>
  );
}

function ThemeButton({ theme, dark, onCycle }: { theme: Theme; dark: boolean; onCycle(): void }) {
  return (
    <button
      type="button"
      class="icon-button"
      onClick={onCycle}
      aria-label={`Theme: ${theme}. Switch to ${dark ? 'light' : 'dark'}`}
      title={`Theme: ${theme}`}
    >
      {dark ? (
        <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true">
          <circle cx="12" cy="12" r="4.5" fill="currentColor" />
          <path
            d="M12 2v2.5M12 19.5V22M2 12h2.5M19.5 12H22M4.9 4.9l1.8 1.8M17.3 17.3l1.8 1.8M4.9 19.1l1.8-1.8M17.3 6.7l1.8-1.8"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
          />
        </svg>
      ) : (
        <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true">
          <path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z" fill="currentColor" />
        </svg>
      )}
    </button>
  );
}
