/** Documented maxima; the tool schemas and the core enforce the same numbers. */
export const LIMITS = {
  titleLength: 500,
  descriptionBytes: 1024 * 1024,
  /** source_path: the file read into a description (the same bound as a description). */
  sourceFileBytes: 1024 * 1024,
  listItemLength: 10_000,
  listEntries: 200,
  urlLength: 4_000,
  queryLength: 1_000,
  listLimitDefault: 20,
  listLimitMax: 1_000,
  searchLimitDefault: 10,
  searchLimitMax: 100,
  batchGetMax: 100,
  editStringBytes: 1024 * 1024,
  activityLimit: 10,
} as const;

/** UTF-8 size without allocating (the core cannot use node's Buffer). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
