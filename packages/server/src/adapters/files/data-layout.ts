import { join } from 'node:path';

export interface DataLayout {
  root: string;
  tasks: string;
  resources: string;
  state: string;
}

export function dataLayout(root: string): DataLayout {
  return { root, tasks: join(root, 'tasks'), resources: join(root, 'resources'), state: join(root, '.state') };
}

/** The file an item lives in. */
export function itemFile(layout: DataLayout, id: string): string {
  return join(layout.tasks, `${id}.md`);
}
