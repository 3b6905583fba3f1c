import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const STATUSES = ['open', 'open', 'in_progress', 'blocked', 'done', 'done', 'cancelled'];
const WORDS =
  'auth login cache index search render layout api schema queue deploy build test docs metrics billing'.split(' ');

/** Writes `count` items straight to disk (10,000 MCP calls would only measure MCP). */
export async function writeItems(dataDir: string, count: number): Promise<void> {
  const tasks = join(dataDir, 'tasks');
  await mkdir(tasks, { recursive: true });
  const files: [string, string][] = [];
  for (let i = 1; i <= count; i++) {
    const id = `TASK-${String(i).padStart(4, '0')}`;
    const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
    const title = `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} item ${i}`;
    files.push([
      id,
      `---\nid: ${id}\ntitle: ${title}\nstatus: ${STATUSES[i % STATUSES.length]}\ntype: task\ncreated_at: ${at}\nupdated_at: ${at}\n---\nBody of item ${i}.\n`,
    ]);
  }
  for (let i = 0; i < files.length; i += 500)
    await Promise.all(files.slice(i, i + 500).map(([id, text]) => writeFile(join(tasks, `${id}.md`), text)));
}
