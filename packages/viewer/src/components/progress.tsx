import './progress.css';
import { type ScopeProgress, STATUS_LABEL, type Status } from '../api';
import { useProgress } from '../hooks/use-progress';
import { Burnup } from './burnup';

/** The bar's order: finished work first, so the bar fills from the left like a progress bar. */
const BAR: readonly Status[] = ['done', 'in_progress', 'blocked', 'open', 'cancelled'];

function dueText(scope: ScopeProgress): string {
  if (!scope.due_date) return 'No due date';
  const days = scope.days_left ?? 0;
  if (scope.overdue) return `Due ${scope.due_date} · ${-days} day${days === -1 ? '' : 's'} overdue`;
  return `Due ${scope.due_date} · ${days} day${days === 1 ? '' : 's'} left`;
}

function StackedBar({ scope }: { scope: ScopeProgress }) {
  const all = BAR.reduce((n, s) => n + scope.counts[s], 0);
  const text = BAR.filter((s) => scope.counts[s]).map((s) => `${scope.counts[s]} ${STATUS_LABEL[s].toLowerCase()}`);
  return (
    <div class="progress-bar" role="img" aria-label={text.join(', ') || 'Nothing in it yet'}>
      {BAR.map((s) =>
        scope.counts[s] ? (
          <span key={s} class={`seg s-${s}`} data-status={s} style={{ flexGrow: scope.counts[s] / all }} />
        ) : null,
      )}
    </div>
  );
}

interface RowProps {
  scope: ScopeProgress;
  selected: boolean;
  onSelect(): void;
  onOpen(id: string): void;
}

function Row({ scope, selected, onSelect, onOpen }: RowProps) {
  return (
    <li class={`progress-row${selected ? ' selected' : ''}`} data-id={scope.id}>
      <div class="progress-head">
        <span class="progress-type">{scope.type === 'milestone' ? 'Milestone' : 'Epic'}</span>
        <button type="button" class="progress-title" onClick={() => onOpen(scope.id)}>
          {scope.title}
        </button>
        {scope.at_risk ? (
          <span class="progress-risk" title={scope.overdue ? 'Overdue' : 'Work left outruns the recent pace'}>
            {scope.overdue ? 'Overdue' : 'At risk'}
          </span>
        ) : null}
      </div>
      <StackedBar scope={scope} />
      <div class="progress-meta">
        <span class="progress-count" data-done={scope.done} data-total={scope.total}>
          {scope.done}/{scope.total} done
        </span>
        <span class="progress-due">{dueText(scope)}</span>
        <button type="button" class="progress-chart-btn" aria-pressed={selected} onClick={onSelect}>
          Burn-up
        </button>
      </div>
    </li>
  );
}

interface Props {
  /** The milestone or epic whose burn-up is shown (in the URL as `root`); undefined: the first. */
  chosen?: string;
  onChoose(id: string): void;
  onOpen(id: string): void;
}

/** Every milestone and epic, overdue first, and the burn-up of the chosen one (the first by default). */
export function Progress({ chosen, onChoose, onOpen }: Props) {
  const { scopes, error } = useProgress();
  if (error) return <div class="progress empty">Could not load progress: {error}</div>;
  if (!scopes) return <div class="progress empty">Loading…</div>;
  if (!scopes.length) return <div class="progress empty">No milestones or epics in this project yet.</div>;
  const selected = scopes.find((s) => s.id === chosen) ?? scopes[0];
  return (
    <div class="progress">
      <ul class="progress-list" aria-label="Milestones and epics">
        {scopes.map((scope) => (
          <Row
            key={scope.id}
            scope={scope}
            selected={scope.id === selected?.id}
            onSelect={() => onChoose(scope.id)}
            onOpen={onOpen}
          />
        ))}
      </ul>
      {selected ? (
        <section class="progress-chart" aria-label="Burn-up">
          <h2>
            {selected.title} <span class="progress-id">{selected.id}</span>
          </h2>
          <Burnup title={selected.title} points={selected.burnup} />
        </section>
      ) : null}
    </div>
  );
}
