// npm pack helper. @backlog-mcp/shared is a workspace package that is not published, so the server
// package bundles it (bundleDependencies). In a workspace npm hoists it to the root node_modules,
// where `npm pack` does not look for bundled packages: prepack copies its package.json and dist/
// into packages/server/node_modules/@backlog-mcp/shared, postpack (`--clean`) removes the copy so
// development keeps resolving the live workspace link.
import { cpSync, existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';

const target = new URL('../node_modules/@backlog-mcp/shared/', import.meta.url);
const source = new URL('../../shared/', import.meta.url);

rmSync(target, { recursive: true, force: true });
if (process.argv.includes('--clean')) {
  // Leave no empty node_modules/@backlog-mcp behind.
  for (const dir of ['../node_modules/@backlog-mcp/', '../node_modules/']) {
    const url = new URL(dir, import.meta.url);
    if (existsSync(url) && readdirSync(url).length === 0) rmdirSync(url);
  }
} else {
  if (!existsSync(new URL('dist/index.js', source))) {
    console.error('bundle-shared: build packages/shared first (npm run build)');
    process.exit(1);
  }
  cpSync(new URL('package.json', source), new URL('package.json', target));
  cpSync(new URL('dist/', source), new URL('dist/', target), { recursive: true });
}
