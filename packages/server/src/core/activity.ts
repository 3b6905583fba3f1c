/** One line of the activity journal: who did what to which item, and when. */
export type ActivityAction = 'created' | 'updated' | 'deleted' | 'edited';

export interface ActivityEntry {
  at: string;
  tool: string;
  action: ActivityAction;
  id?: string;
  uri?: string;
  fields?: string[];
  actor?: string;
  /** Short facts worth showing in a timeline, e.g. the new status. */
  summary?: string;
}

/** Who is acting and through which door; passed with every write. */
export interface Actor {
  tool: string;
  name?: string;
}
