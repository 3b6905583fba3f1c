#!/usr/bin/env node
// Lets `npm start` skip a build whose inputs have not changed since the last successful one (a full
// build takes one to three minutes on a small machine; the viewer's vite build is most of it).
//
//   node scripts/build-stamp.mjs --if-stale   run `npm run build` only when the inputs changed (npm start)
//   node scripts/build-stamp.mjs --begin      fingerprint the inputs as the build starts (prebuild hook)
//   node scripts/build-stamp.mjs --commit     record that fingerprint as built (postbuild hook)
//
// The fingerprint hashes the contents (not the times) of every build input, so a checkout that
// changes nothing does not rebuild, and any edit, added or deleted file does. It is taken before
// the build starts: an edit made while the build runs is seen as a change on the next start.
// The stamp lives in node_modules/.cache (gone with a fresh clone or `rm -rf node_modules`);
// a missing build output makes the tree stale too.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root files that change what the build produces. */
const ROOT_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.base.json'];
/** In each packages/<name>: the folders and files the build reads (tests and docs are not inputs). */
const PACKAGE_DIRS = ['src', 'scripts', 'public'];
const PACKAGE_FILE = /^(package\.json|tsconfig.*\.json|vite\.config\.[cm]?[jt]s|index\.html)$/;
/** What `npm start` needs; if one is missing the build runs whatever the stamp says. */
export const OUTPUTS = [
  'packages/shared/dist/index.js',
  'packages/server/dist/cli/index.js',
  'packages/server/dist/viewer/index.html',
];
const STAMP = 'node_modules/.cache/backlog-mcp/build-stamp.json';
const PENDING = 'node_modules/.cache/backlog-mcp/build-pending.json';

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(path, out);
    } else if (entry.isFile()) {
      out.push(path);
    }
  }
}

/** The build inputs under root, as sorted forward-slash relative paths. */
export function inputFiles(root) {
  const files = [];
  for (const name of ROOT_INPUTS) {
    if (existsSync(join(root, name))) files.push(join(root, name));
  }
  const packages = join(root, 'packages');
  for (const pkg of existsSync(packages) ? readdirSync(packages, { withFileTypes: true }) : []) {
    if (!pkg.isDirectory()) continue;
    const base = join(packages, pkg.name);
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (entry.isFile() && PACKAGE_FILE.test(entry.name)) files.push(join(base, entry.name));
      else if (entry.isDirectory() && PACKAGE_DIRS.includes(entry.name)) walk(join(base, entry.name), files);
    }
  }
  return files.map((file) => relative(root, file).split(sep).join('/')).sort();
}

/** SHA-256 over every input's path and content. */
export function fingerprint(root) {
  const hash = createHash('sha256');
  for (const file of inputFiles(root)) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(root, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

/** Whether `npm start` must build first, and why. */
export function staleness(root) {
  const missing = OUTPUTS.find((file) => !existsSync(join(root, file)));
  if (missing) return { stale: true, reason: `${missing} is missing` };
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, STAMP), 'utf8'));
  } catch {
    return { stale: true, reason: 'no record of a previous build' };
  }
  if (stamp?.fingerprint !== fingerprint(root)) return { stale: true, reason: 'sources changed since the last build' };
  return { stale: false, reason: `sources unchanged since the build of ${stamp.built_at}` };
}

/** Called as the build starts: remember what it is building. */
export function begin(root) {
  const file = join(root, PENDING);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ fingerprint: fingerprint(root) })}\n`);
}

/** Called after a successful build: what began is now built. */
export function commit(root, now = new Date()) {
  const pending = join(root, PENDING);
  if (!existsSync(pending)) return false;
  const { fingerprint: built } = JSON.parse(readFileSync(pending, 'utf8'));
  writeFileSync(pending, `${JSON.stringify({ fingerprint: built, built_at: now.toISOString() })}\n`);
  renameSync(pending, join(root, STAMP));
  return true;
}

/** Forgets the last build (the next start builds). */
export function forget(root) {
  rmSync(join(root, STAMP), { force: true });
}

function main(mode) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const say = (line) => process.stderr.write(`build-stamp: ${line}\n`);
  switch (mode) {
    case '--if-stale': {
      const { stale, reason } = staleness(root);
      if (!stale) {
        say(`build is up to date (${reason}); skipping it`);
        return 0;
      }
      say(`building: ${reason}`);
      const result = spawnSync('npm', ['run', 'build'], {
        cwd: root,
        stdio: 'inherit',
        shell: process.platform === 'win32',
      });
      return result.status ?? 1;
    }
    // The hooks never fail a build: without a stamp, the next start simply builds again.
    case '--begin':
      try {
        forget(root);
        begin(root);
      } catch (error) {
        say(`could not record the build's inputs (${error.message}); the next start will build again`);
      }
      return 0;
    case '--commit':
      try {
        commit(root);
      } catch (error) {
        say(`could not record the build (${error.message}); the next start will build again`);
      }
      return 0;
    default:
      say('usage: node scripts/build-stamp.mjs --if-stale | --begin | --commit');
      return 2;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv[2]);
