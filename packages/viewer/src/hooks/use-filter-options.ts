import { useEffect, useMemo, useState } from 'preact/hooks';
import { type LabelCount, listItems, labels as listLabels, STATUSES } from '../api';

export interface EpicOption {
  id: string;
  title: string;
}

export interface FilterOptions {
  epics: EpicOption[];
  epicTitles: ReadonlyMap<string, string>;
  labelCounts: LabelCount[];
}

/** What the epic and label filters offer; reloaded when a revision number moves. */
export function useFilterOptions(epicsRev: number, labelsRev: number): FilterOptions {
  const [epics, setEpics] = useState<EpicOption[]>([]);
  const [labelCounts, setLabelCounts] = useState<LabelCount[]>([]);
  useEffect(() => {
    listItems({ status: [...STATUSES], types: ['epic'], sort: 'updated' }, 0, 1000)
      .then((page) =>
        setEpics(page.items.map((e) => ({ id: e.id, title: e.title })).sort((a, b) => a.id.localeCompare(b.id))),
      )
      .catch(() => undefined);
  }, [epicsRev]);
  useEffect(() => {
    const controller = new AbortController();
    listLabels(controller.signal)
      .then(setLabelCounts)
      .catch(() => undefined);
    return () => controller.abort();
  }, [labelsRev]);
  const epicTitles = useMemo(() => new Map(epics.map((e) => [e.id, e.title])), [epics]);
  return { epics, epicTitles, labelCounts };
}
