import { backlogMcpExportImporter } from './backlog-mcp-export.js';
import { backlogMcpFolderImporter } from './backlog-mcp-folder.js';
import { backlogMdImporter } from './backlog-md.js';
import { beadsImporter } from './beads.js';
import { githubIssuesImporter } from './github-issues.js';
import type { Importer } from './importer.js';
import { taskmasterImporter } from './taskmaster.js';

/**
 * Every format `backlog-mcp import` reads, in the order detection tries them: files that name
 * their format first (our exports, GitHub's JSON), then folders by their layout.
 */
export const IMPORTERS: readonly Importer[] = [
  backlogMcpExportImporter,
  githubIssuesImporter,
  beadsImporter,
  taskmasterImporter,
  backlogMdImporter,
  backlogMcpFolderImporter,
];

/** The importer `--from` names, else the first that recognises `path`. */
export async function pickImporter(path: string, from?: string): Promise<Importer | undefined> {
  for (const importer of IMPORTERS) {
    if (from !== undefined && importer.system !== from) continue;
    if (await importer.detect(path)) return importer;
  }
  return undefined;
}
