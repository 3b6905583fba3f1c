import { describe, expect, it } from 'vitest';
import {
  importLabels,
  importTitle,
  isoDay,
  isoTime,
  lineAt,
  markdownBody,
  TITLE_LIMIT,
} from '../src/adapters/import/import-text.js';

describe('import-text helpers', () => {
  it('normalises labels, cuts long ones to 40 and keeps 20, warning each time', () => {
    const warnings: string[] = [];
    const many = Array.from({ length: 23 }, (_, i) => `L${i}`);
    const labels = importLabels([' Bug ', 'bug', 'x'.repeat(45), ...many], 'bd-1', warnings);
    expect(labels).toHaveLength(20);
    expect(labels.slice(0, 3)).toEqual(['bug', 'x'.repeat(40), 'l0']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('cut to 40');
    expect(warnings[1]).toContain('5 label(s)');
  });

  it('cuts a title to 500 characters and names an untitled item by its source ID', () => {
    const warnings: string[] = [];
    expect(importTitle('a'.repeat(600), '#1', warnings)).toHaveLength(TITLE_LIMIT);
    expect(importTitle('  two\n lines ', '#2', warnings)).toBe('two lines');
    expect(importTitle(null, '#3', warnings)).toBe('#3');
    expect(warnings).toHaveLength(2);
  });

  it('builds a Markdown body with one section per non-empty part', () => {
    expect(
      markdownBody(' Main. ', [
        ['Design', 'D'],
        ['Notes', '  '],
        ['Other', undefined],
      ]),
    ).toBe('Main.\n\n## Design\n\nD\n');
    expect(markdownBody(undefined, [])).toBe('');
  });

  it('turns timestamps into ISO, warns on nonsense', () => {
    const warnings: string[] = [];
    expect(isoTime('2026-01-05T09:00:00+01:00', 'x', 'created_at', warnings)).toBe('2026-01-05T08:00:00.000Z');
    expect(isoDay('2026-02-01T08:00:00Z', 'x', 'dueOn', warnings)).toBe('2026-02-01');
    expect(isoTime('soon', 'x', 'created_at', warnings)).toBeUndefined();
    expect(warnings).toEqual(['x: created_at "soon" is not a date; left out']);
  });

  it('finds the line of an offset', () => {
    expect(lineAt('a\nb\nc', 0)).toBe(1);
    expect(lineAt('a\nb\nc', 4)).toBe(3);
  });
});
