import { useEffect, useState } from 'preact/hooks';
import { knownStubs } from '../api';
import { publish } from '../bus';
import { connectLive, type LiveState } from '../live';
import { type ProjectKey, shownProject } from '../scope';

export interface LiveFeed {
  /** The connection, for the indicator in the top bar. */
  live: LiveState;
  /** Bumped when the epics may have changed: the epic filter reloads its options. */
  epicsRev: number;
  /** Bumped when the labels in use may have changed: the label filter reloads its options. */
  labelsRev: number;
}

/**
 * The live stream of the shown project: every change fans out to the list, the detail and the
 * timeline. Another project closes it and follows that one; none (`follow` false) closes it.
 */
export function useLive(project: ProjectKey, follow = true): LiveFeed {
  const [live, setLive] = useState<LiveState>('connecting');
  const [epicsRev, setEpicsRev] = useState(0);
  const [labelsRev, setLabelsRev] = useState(0);
  useEffect(() => {
    if (!follow) {
      setLive('offline');
      return;
    }
    return connectLive(project, {
      onChanges(events) {
        // The page switched and this stream is about to close: its changes are another project's.
        if (shownProject() !== project) return;
        for (const e of events) {
          const known = e.item_id ? knownStubs.get(e.item_id) : undefined;
          if (known && e.title) known.title = e.title;
          if (known && e.status) known.status = e.status as typeof known.status;
        }
        if (events.some((e) => e.item_id?.startsWith('EPIC-'))) setEpicsRev((n) => n + 1);
        // Labels come and go with items, and with edits that name the field (or do not say).
        if (events.some((e) => e.kind !== 'updated' || !e.fields || e.fields.includes('labels')))
          setLabelsRev((n) => n + 1);
        publish(events);
      },
      onReset() {
        if (shownProject() !== project) return;
        setEpicsRev((n) => n + 1);
        setLabelsRev((n) => n + 1);
        publish('reset');
      },
      onState: setLive,
    });
  }, [project, follow]);
  return { live, epicsRev, labelsRev };
}
