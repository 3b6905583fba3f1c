import type { ImportReport } from '../../core/import/apply.js';

/** How many lines of each list a terminal shows before "… and N more" (--json has them all). */
const SHOWN = 10;

/** The plan (or what was done) for a person: counts first, then the first items of each kind, then warnings. */
export function reportText(report: ImportReport, into: string, seconds: number): string {
  const lines = [`${report.dry_run ? 'Would import' : 'Imported'} ${report.source} into ${into}:`];
  lines.push(`  ${report.created.length} new, ${report.updated.length} updated, ${report.unchanged} unchanged`);
  for (const item of report.created.slice(0, SHOWN)) {
    lines.push(`  + ${item.id} ← ${item.source_id}  ${item.type === 'task' ? '' : `${item.type} `}${item.title}`);
  }
  if (report.created.length > SHOWN) lines.push(`    … and ${report.created.length - SHOWN} more new`);
  for (const item of report.updated.slice(0, SHOWN)) {
    lines.push(`  ~ ${item.id} ← ${item.source_id}  ${item.title} (${item.fields.join(', ')})`);
  }
  if (report.updated.length > SHOWN) lines.push(`    … and ${report.updated.length - SHOWN} more updated`);
  if (report.not_in_source.length) {
    lines.push(
      `  ${report.not_in_source.length} item(s) imported earlier are no longer in the source and were left as they are: ${report.not_in_source.slice(0, SHOWN).join(', ')}${report.not_in_source.length > SHOWN ? ', …' : ''}`,
    );
  }
  if (report.warnings.length) {
    lines.push(`  ${report.warnings.length} warning(s):`);
    for (const warning of report.warnings.slice(0, SHOWN)) lines.push(`    - ${warning}`);
    if (report.warnings.length > SHOWN)
      lines.push(`    … and ${report.warnings.length - SHOWN} more (--json lists them all)`);
  }
  lines.push(report.dry_run ? 'Nothing was written (--dry-run).' : `Done in ${seconds.toFixed(1)} s.`);
  return `${lines.join('\n')}\n`;
}

/** A one-line bar on a terminal, redrawn in place: `[#########...........] 2500/5000`. */
export function progressBar(stream: NodeJS.WriteStream): (done: number, total: number) => void {
  if (!stream.isTTY) return () => undefined;
  return (done, total) => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    stream.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`,
    );
  };
}
