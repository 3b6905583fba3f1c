import './placeholder.css';
import { SEARCH_SHORTCUT } from '../platform';

/** The right pane when no item is open: what to do, and the shortcuts. */
export function Placeholder() {
  return (
    <div class="placeholder">
      <div class="placeholder-card">
        <div class="placeholder-title">Select an item</div>
        <p>Agents’ changes appear here as they happen.</p>
        <ul class="shortcuts">
          <li>
            <kbd>j</kbd>
            <kbd>k</kbd> move · <kbd>↵</kbd> open
          </li>
          <li>
            <kbd>/</kbd> or <kbd class="search-kbd">{SEARCH_SHORTCUT}</kbd> search
          </li>
          <li>
            <kbd>Esc</kbd> close
          </li>
          <li>
            <kbd>g</kbd> then <kbd>i</kbd> <kbd>a</kbd> <kbd>b</kbd> items, activity, board
          </li>
        </ul>
      </div>
    </div>
  );
}
