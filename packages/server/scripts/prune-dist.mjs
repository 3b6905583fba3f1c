// tsc -b never deletes output: after a source file moves or goes, its old .js/.d.ts would stay in
// dist/ and ship in the package. This removes compiled files whose source no longer exists.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const OUTPUT = /\.(js|d\.ts)(\.map)?$/;

function prune(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const rel = relative(dist, path);
    if (rel === 'viewer') continue;
    if (statSync(path).isDirectory()) {
      prune(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
    } else if (OUTPUT.test(name)) {
      const source = join(root, 'src', rel.replace(OUTPUT, '.ts'));
      try {
        statSync(source);
      } catch {
        rmSync(path);
      }
    }
  }
}

prune(dist);
