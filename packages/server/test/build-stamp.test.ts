import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { begin, commit, inputFiles, OUTPUTS, staleness } from '../../../scripts/build-stamp.mjs';
import { removeDir } from './support/servers.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

type Staleness = { stale: boolean; reason: string };
const decide = staleness as (root: string) => Staleness;

function put(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** A miniature of the repository: the files the build reads and the outputs `npm start` needs. */
function tree(root: string, rootPackageJson = '{"name":"mini"}\n'): void {
  put(root, 'package.json', rootPackageJson);
  put(root, 'package-lock.json', '{}\n');
  put(root, 'tsconfig.base.json', '{}\n');
  put(root, 'packages/shared/src/index.ts', 'export const a = 1;\n');
  put(root, 'packages/server/src/cli/index.ts', 'console.log(1);\n');
  put(root, 'packages/server/test/x.test.ts', 'test\n');
  put(root, 'packages/viewer/vite.config.ts', 'export default {};\n');
  put(root, 'packages/viewer/src/main.tsx', 'render();\n');
}

function build(root: string): void {
  for (const output of OUTPUTS as string[]) put(root, output, 'built\n');
}

describe('npm start builds only when the build inputs changed', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await removeDir(dir);
  });
  const temp = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'backlog-stamp-'));
    dirs.push(dir);
    return dir;
  };

  it('fresh tree → build; unchanged → skip; an edited, added or deleted input or a missing output → build', async () => {
    const root = await temp();
    tree(root);
    expect(decide(root)).toMatchObject({ stale: true, reason: expect.stringMatching(/missing/) });
    build(root);
    expect(decide(root)).toMatchObject({ stale: true, reason: 'no record of a previous build' });

    begin(root);
    build(root);
    commit(root);
    expect(decide(root).stale).toBe(false);

    // Only contents count: a new mtime with the same bytes (a checkout, `touch`) is not a change.
    const source = join(root, 'packages/server/src/cli/index.ts');
    utimesSync(source, new Date(), new Date(Date.now() + 60_000));
    expect(decide(root).stale).toBe(false);
    // Tests and other non-inputs do not trigger a build.
    put(root, 'packages/server/test/x.test.ts', 'changed\n');
    put(root, 'README.md', 'docs\n');
    expect(decide(root).stale).toBe(false);

    put(root, 'packages/server/src/cli/index.ts', 'console.log(2);\n');
    expect(decide(root)).toEqual({ stale: true, reason: 'sources changed since the last build' });
    begin(root);
    commit(root);
    expect(decide(root).stale).toBe(false);

    for (const change of [
      () => put(root, 'packages/shared/src/new.ts', 'export {};\n'),
      () => rmSync(join(root, 'packages/viewer/src/main.tsx')),
      () => put(root, 'packages/viewer/vite.config.ts', 'export default { base: "/" };\n'),
      () => put(root, 'package-lock.json', '{"lockfileVersion":3}\n'),
    ]) {
      change();
      expect(decide(root).stale).toBe(true);
      begin(root);
      commit(root);
      expect(decide(root).stale).toBe(false);
    }

    rmSync(join(root, 'packages/server/dist'), { recursive: true });
    expect(decide(root)).toMatchObject({
      stale: true,
      reason: expect.stringMatching(/dist\/cli\/index\.js is missing/),
    });
  });

  it('an edit made while the build runs is still a change afterwards', async () => {
    const root = await temp();
    tree(root);
    build(root);
    begin(root);
    put(root, 'packages/shared/src/index.ts', 'export const a = 2;\n');
    commit(root);
    expect(decide(root).stale).toBe(true);
  });

  it('the real inputs: every package source, config and the lock file; no tests, no outputs', () => {
    const files = inputFiles(REPO) as string[];
    expect(files).toEqual(
      expect.arrayContaining([
        'package-lock.json',
        'packages/server/src/cli/index.ts',
        'packages/server/scripts/copy-viewer.mjs',
        'packages/shared/src/index.ts',
        'packages/viewer/index.html',
        'packages/viewer/vite.config.ts',
      ]),
    );
    expect(files.filter((file) => /\/(test|dist|node_modules)\//.test(file))).toEqual([]);
  });

  it('the root scripts: the first start builds and records it, the second skips, a failed build records nothing', async () => {
    const root = await temp();
    const scripts = (
      JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.start).toMatch(
      /^node scripts\/build-stamp\.mjs --if-stale && node packages\/server\/dist\/cli\/index\.js serve$/,
    );
    // The repository's own hooks around a stand-in build that makes the outputs and counts its runs.
    const fakeBuild = `node -e "${[
      "const fs=require('fs');",
      "for(const f of ['packages/shared/dist/index.js','packages/server/dist/cli/index.js','packages/server/dist/viewer/index.html']){fs.mkdirSync(require('path').dirname(f),{recursive:true});fs.writeFileSync(f,'x')}",
      "fs.appendFileSync('builds.log','built\\n');",
      "if(fs.existsSync('FAIL'))process.exit(1)",
    ].join('')}"`;
    const pkg = {
      name: 'mini',
      private: true,
      scripts: { prebuild: scripts.prebuild, build: fakeBuild, postbuild: scripts.postbuild },
    };
    tree(root, `${JSON.stringify(pkg, null, 2)}\n`);
    mkdirSync(join(root, 'scripts'));
    copyFileSync(join(REPO, 'scripts', 'build-stamp.mjs'), join(root, 'scripts', 'build-stamp.mjs'));
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
    const start = () => run(process.execPath, ['scripts/build-stamp.mjs', '--if-stale'], { cwd: root, env });
    const builds = () => readFileSync(join(root, 'builds.log'), 'utf8').split('\n').filter(Boolean).length;

    expect((await start()).stderr).toContain('building: packages/shared/dist/index.js is missing');
    expect(builds()).toBe(1);
    expect((await start()).stderr).toMatch(/build is up to date .*skipping it/);
    expect(builds()).toBe(1);

    put(root, 'packages/server/src/cli/index.ts', 'console.log(3);\n');
    put(root, 'FAIL', '');
    await expect(start()).rejects.toThrow();
    expect(builds()).toBe(2);
    rmSync(join(root, 'FAIL'));
    expect((await start()).stderr).toContain('building: no record of a previous build');
    expect(builds()).toBe(3);
    expect((await start()).stderr).toContain('skipping it');
  });
});
