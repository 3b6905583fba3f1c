import { Empty } from './bits';

interface Props {
  project: string;
  /** What the server said. */
  message: string;
  onGlobal(): void;
}

/** In place of the panes when the URL names a folder the server serves no backlog from. */
export function MissingProject({ project, message, onGlobal }: Props) {
  return (
    <main class="panes missing-project" aria-live="polite">
      <Empty title="No backlog here">
        <p class="mono">{project}</p>
        <p>{message}</p>
        <button type="button" class="chip-button" onClick={onGlobal}>
          Show the global backlog
        </button>
      </Empty>
    </main>
  );
}
