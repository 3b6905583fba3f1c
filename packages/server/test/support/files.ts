import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function readItemFile(dataDir: string, id: string): Promise<string> {
  return readFile(join(dataDir, 'tasks', `${id}.md`), 'utf8');
}

export async function itemFiles(dataDir: string): Promise<string[]> {
  return (await readdir(join(dataDir, 'tasks'))).sort();
}

/** A snapshot of every file under tasks/ and resources/, to prove a failed call changed nothing. */
export async function snapshotFiles(dataDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const folder of ['tasks', 'resources']) {
    for (const name of await readdir(join(dataDir, folder), { recursive: true })) {
      const path = join(folder, String(name));
      try {
        out[path] = await readFile(join(dataDir, path), 'utf8');
      } catch {
        // a folder
      }
    }
  }
  return out;
}
