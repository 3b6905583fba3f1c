import type { RefObject } from 'preact';
import type { ProjectInfo, SearchHit } from '../api';
import { hitProjectKey, nameOfPath } from '../project-names';
import type { ProjectKey } from '../scope';
import { Highlight, StatusChip, TypeBadge } from './bits';

/**
 * Element IDs for the hits. The shown project's keep `hit-<ID>`; another project's get its rank
 * among the other projects too, since every backlog has its own TASK-0001.
 */
export function hitIds(results: readonly SearchHit[], projects: readonly ProjectInfo[], shown: ProjectKey): string[] {
  const others: string[] = [];
  return results.map((hit) => {
    if (hit.project === undefined || hitProjectKey(projects, shown, hit.project) === shown) return `hit-${hit.id}`;
    if (!others.includes(hit.project)) others.push(hit.project);
    return `hit-${hit.id}-in-${others.indexOf(hit.project) + 1}`;
  });
}

interface Props {
  results: SearchHit[];
  ids: string[];
  active: number;
  setActive(index: number): void;
  query: string;
  /** Set when the results come from every project: each hit says which. */
  projects?: readonly ProjectInfo[];
  onOpen(hit: SearchHit): void;
  list: RefObject<HTMLDivElement | null>;
}

/** The spotlight's results: ID, highlighted title, type, status, snippet, and the project when there are several. */
export function HitList({ results, ids, active, setActive, query, projects, onOpen, list }: Props) {
  return (
    <div class="spot-results" id="spot-results" role="listbox" ref={list}>
      {results.map((hit, i) => (
        <div
          key={ids[i]}
          tabIndex={-1}
          id={ids[i]}
          role="option"
          aria-selected={i === active}
          data-id={hit.id}
          data-project={hit.project}
          class={i === active ? 'hit active' : 'hit'}
          onMouseMove={() => setActive(i)}
          onClick={() => onOpen(hit)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') onOpen(hit);
          }}
        >
          <div class="hit-top">
            <span class="mono hit-id">{hit.id}</span>
            <span class="hit-title">
              <Highlight text={hit.title} query={query} />
            </span>
            <TypeBadge type={hit.type} />
            <StatusChip status={hit.status} />
          </div>
          <HitSecondLine hit={hit} query={query} projects={projects} />
        </div>
      ))}
    </div>
  );
}

/** Under the title: the project (in a search of all projects), then the snippet when it says more than the title. */
function HitSecondLine({ hit, query, projects }: { hit: SearchHit; query: string; projects?: readonly ProjectInfo[] }) {
  const where = projects && hit.project ? nameOfPath(projects, hit.project) : undefined;
  const snippet = hit.snippet && hit.snippet !== hit.title ? hit.snippet : undefined;
  if (!where && !snippet) return null;
  return (
    <div class="hit-snippet">
      {where ? (
        <span class="hit-project" title={hit.project}>
          {where}
        </span>
      ) : null}
      {snippet ? <Highlight text={snippet} query={query} /> : null}
    </div>
  );
}
