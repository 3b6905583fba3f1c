import { LABEL_LIMITS, normalizeLabels } from '@backlog-mcp/shared';
import { invalid } from './errors.js';

/** The three ways an update can change labels; `labels` replaces, the other two edit. */
export interface LabelPatch {
  labels?: string[] | null;
  add_labels?: string[];
  remove_labels?: string[];
}

/** Normalised labels, or an error naming the field if one is empty, too long, or there are too many. */
export function requireLabels(field: string, raw: readonly string[]): string[] {
  for (const label of raw) {
    const trimmed = label.trim();
    if (!trimmed) throw invalid(field, 'non-empty labels', label);
    if (trimmed.length > LABEL_LIMITS.length) {
      throw invalid(field, `labels of at most ${LABEL_LIMITS.length} characters`, label);
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a label is one short line
    if (/[\u0000-\u001f\u007f,]/.test(trimmed))
      throw invalid(field, 'labels without commas or control characters', label);
  }
  return checkCount(field, normalizeLabels(raw));
}

function checkCount(field: string, labels: string[]): string[] {
  if (labels.length > LABEL_LIMITS.perItem) {
    throw invalid(field, `at most ${LABEL_LIMITS.perItem} labels per item`, `${labels.length} labels`);
  }
  return labels;
}

/**
 * The labels after an update: undefined when the patch does not touch them, null to clear.
 * Replace first, then add, then remove, so one call can say "these, plus that, minus this".
 */
export function applyLabels(current: readonly string[] | undefined, patch: LabelPatch): string[] | null | undefined {
  if (patch.labels === undefined && !patch.add_labels && !patch.remove_labels) return undefined;
  let labels =
    patch.labels === undefined
      ? [...(current ?? [])]
      : patch.labels === null
        ? []
        : requireLabels('labels', patch.labels);
  if (patch.add_labels) labels = normalizeLabels([...labels, ...requireLabels('add_labels', patch.add_labels)]);
  if (patch.remove_labels) {
    const gone = new Set(normalizeLabels(patch.remove_labels));
    labels = labels.filter((label) => !gone.has(label));
  }
  return labels.length === 0 ? null : checkCount(patch.add_labels ? 'add_labels' : 'labels', labels);
}

/** True when the item carries every one of the wanted (normalised) labels. */
export function hasAllLabels(item: { labels?: readonly string[] }, wanted: readonly string[]): boolean {
  return wanted.every((label) => item.labels?.includes(label) === true);
}
