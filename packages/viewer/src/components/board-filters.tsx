import { useEffect, useState } from 'preact/hooks';
import { type ItemType, listItems, STATUSES, TYPE_LABEL, TYPES } from '../api';
import type { UrlState } from '../hooks/use-url-state';

const SEVERAL = 'several';

interface Option {
  id: string;
  title: string;
}

/** The milestones and folders the board can be narrowed to; reloaded when the epics' revision moves. */
function useContainers(type: 'milestone' | 'folder', rev: number): Option[] {
  const [options, setOptions] = useState<Option[]>([]);
  useEffect(() => {
    listItems({ status: [...STATUSES], types: [type], sort: 'updated' }, 0, 1000)
      .then((page) =>
        setOptions(page.items.map((s) => ({ id: s.id, title: s.title })).sort((a, b) => a.id.localeCompare(b.id))),
      )
      .catch(() => undefined);
  }, [type, rev]);
  return options;
}

interface PickProps {
  label: string;
  name: string;
  value: string | undefined;
  options: readonly Option[];
  onPick(value: string | undefined): void;
}

function Pick({ label, name, value, options, onPick }: PickProps) {
  return (
    <label class="board-pick">
      <span class="visually-hidden">{label}</span>
      <select name={name} value={value ?? ''} onChange={(e) => onPick(e.currentTarget.value || undefined)}>
        <option value="">{`Any ${label.toLowerCase()}`}</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {`${o.id} · ${o.title}`}
          </option>
        ))}
      </select>
    </label>
  );
}

interface Props {
  url: UrlState;
  epics: readonly Option[];
  /** Bumped when containers may have changed (the live feed's epics revision is close enough). */
  optionsRev: number;
}

/** The board's filters; each one is in the URL, so a link or a reload shows the same board. */
export function BoardFilters({ url, epics, optionsRev }: Props) {
  const { state, navigate } = url;
  const milestones = useContainers('milestone', optionsRev);
  const folders = useContainers('folder', optionsRev);
  const typeOptions = TYPES.map((t) => ({ id: t, title: TYPE_LABEL[t] }));
  return (
    <div class="board-filters">
      <input
        type="search"
        class="board-text"
        name="q"
        placeholder="Filter cards…"
        aria-label="Filter cards by text"
        value={url.qDraft}
        onInput={(e) => url.setQDraft(e.currentTarget.value)}
      />
      <label class="board-pick">
        <span class="visually-hidden">Type</span>
        <select
          name="type"
          value={state.types.length === 1 ? state.types[0] : state.types.length > 1 ? SEVERAL : ''}
          onChange={(e) => navigate({ types: e.currentTarget.value ? [e.currentTarget.value as ItemType] : [] })}
        >
          <option value="">Any type</option>
          {/* The items view may have picked several types; the board keeps them and says so. */}
          {state.types.length > 1 ? (
            <option value={SEVERAL} disabled>
              {state.types.map((t) => TYPE_LABEL[t]).join(' + ')}
            </option>
          ) : null}
          {typeOptions.map((o) => (
            <option key={o.id} value={o.id}>
              {o.title}
            </option>
          ))}
        </select>
      </label>
      <Pick label="Epic" name="epic" value={state.epic} options={epics} onPick={(epic) => navigate({ epic })} />
      <Pick
        label="Milestone"
        name="milestone"
        value={state.milestone}
        options={milestones}
        onPick={(milestone) => navigate({ milestone })}
      />
      <Pick
        label="Folder"
        name="folder"
        value={state.folder}
        options={folders}
        onPick={(folder) => navigate({ folder })}
      />
      <label class="board-toggle">
        <input
          type="checkbox"
          name="done"
          checked={state.allDone === true}
          onChange={(e) => navigate({ allDone: e.currentTarget.checked || undefined })}
        />
        All done
      </label>
      <label class="board-toggle">
        <input
          type="checkbox"
          name="cancelled"
          checked={state.cancelled === true}
          onChange={(e) => navigate({ cancelled: e.currentTarget.checked || undefined })}
        />
        Cancelled
      </label>
    </div>
  );
}
