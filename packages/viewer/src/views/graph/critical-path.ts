// The critical path: the longest chain of unfinished items, each blocked by the one before it.
// Finishing work off this chain cannot shorten the wait for the chain's last item, so it is the
// chain worth watching. Longest path in a DAG: topological order (Kahn), then one relaxation pass.

export interface Link {
  from: string;
  to: string;
}

/**
 * Returns the chain blocker-first ([] for no nodes). Length counts items, so a lone unfinished
 * item is a path of 1. Ties go to the chain met first in input order, so the answer is stable.
 * `blocked_by` cycles are refused at write time; should one reach us anyway (a hand-edited file),
 * the nodes on it are left out rather than looping forever.
 */
export function criticalPath(nodes: readonly string[], links: readonly Link[]): string[] {
  const known = new Set(nodes);
  const out = new Map<string, string[]>();
  const indegree = new Map<string, number>(nodes.map((id) => [id, 0]));
  for (const { from, to } of links) {
    if (!known.has(from) || !known.has(to) || from === to) continue;
    const list = out.get(from);
    if (list) list.push(to);
    else out.set(from, [to]);
    indegree.set(to, (indegree.get(to) ?? 0) + 1);
  }
  // longest[id]: items on the longest chain ending at id; previous[id]: the item before it there.
  const longest = new Map<string, number>();
  const previous = new Map<string, string>();
  const queue = nodes.filter((id) => indegree.get(id) === 0);
  for (const id of queue) longest.set(id, 1);
  for (let at = 0; at < queue.length; at++) {
    const id = queue[at] as string;
    const length = longest.get(id) ?? 1;
    for (const next of out.get(id) ?? []) {
      if (length + 1 > (longest.get(next) ?? 0)) {
        longest.set(next, length + 1);
        previous.set(next, id);
      }
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  let end: string | undefined;
  for (const id of queue) if (end === undefined || (longest.get(id) ?? 0) > (longest.get(end) ?? 0)) end = id;
  const chain: string[] = [];
  for (let at = end; at !== undefined; at = previous.get(at)) chain.unshift(at);
  return chain;
}
