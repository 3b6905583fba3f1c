import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';

/**
 * The highest sequence ever used per ID prefix. Files show the highest that
 * exists; this remembers the ones that were deleted, so IDs are never reused.
 */
export class HighWaterMarks {
  private constructor(
    private readonly path: string,
    private readonly marks: Record<string, number>,
  ) {}

  static async open(path: string): Promise<HighWaterMarks> {
    let marks: Record<string, number> = {};
    try {
      const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
      if (parsed && typeof parsed === 'object') marks = parsed as Record<string, number>;
    } catch {
      // Missing or damaged: the files still tell the highest existing IDs.
    }
    return new HighWaterMarks(path, marks);
  }

  get(prefix: string): number {
    const value = this.marks[prefix];
    return typeof value === 'number' && Number.isSafeInteger(value) ? value : 0;
  }

  async raise(prefix: string, seq: number): Promise<void> {
    if (this.get(prefix) >= seq) return;
    this.marks[prefix] = seq;
    // Another process (doctor --fix, a second server on a copy) may have raised a mark meanwhile: keep the higher.
    const onDisk = await HighWaterMarks.open(this.path);
    for (const [key, value] of Object.entries(onDisk.marks)) {
      if (onDisk.get(key) > this.get(key)) this.marks[key] = value;
    }
    await writeFileAtomic(this.path, `${JSON.stringify(this.marks, null, 2)}\n`);
  }
}
