import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

describe('.gitignore', () => {
  it("keeps a local Worker's secrets and state out of git status", async () => {
    const paths = [
      'packages/server/.dev.vars',
      'packages/server/.dev.vars.staging',
      'packages/server/.wrangler/state/v3/d1/db.sqlite',
      '.wrangler/tmp/bundle.js',
      '.env',
    ];
    // --no-index: the answer comes from the ignore rules alone, whatever is on disk or tracked.
    const { stdout } = await run('git', ['check-ignore', '--no-index', ...paths], { cwd: REPO });
    expect(stdout.trim().split('\n')).toEqual(paths);
  });
});
