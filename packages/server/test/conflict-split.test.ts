import { describe, expect, it } from 'vitest';
import { analyseConflict } from '../src/adapters/files/add-add-conflict.js';
import { hasConflictMarkers, splitConflict } from '../src/adapters/files/conflict-split.js';
import { renameItemText, statedId } from '../src/format/item-id-line.js';

const item = (title: string, created: string, body: string): string =>
  `---\nid: TASK-0043\ntitle: ${title}\nstatus: open\ntype: task\ncreated_at: ${created}\nupdated_at: ${created}\nversion: 1\n---\n${body}`;

/** What git 2.39 writes for an add/add conflict in the default style: common lines stay outside the hunk. */
const ADD_ADD = `---
id: TASK-0043
<<<<<<< HEAD
title: Ours
status: open
type: task
created_at: 2026-01-02T00:00:00.000Z
updated_at: 2026-01-02T00:00:00.000Z
version: 1
---
Our body
=======
title: Theirs
status: open
type: task
created_at: 2026-01-01T00:00:00.000Z
updated_at: 2026-01-01T00:00:00.000Z
version: 1
---
Their body
>>>>>>> 4b89f261cd55b42e0c27c3fe937a40ba42ff0d0e
line 2
`;

describe('splitConflict', () => {
  it('gives each side the common lines plus its own, byte for byte', () => {
    const split = splitConflict(ADD_ADD);
    expect(split.ok).toBe(true);
    if (!split.ok) return;
    expect(split.sides.ours).toBe(`${item('Ours', '2026-01-02T00:00:00.000Z', 'Our body\nline 2\n')}`);
    expect(split.sides.theirs).toBe(`${item('Theirs', '2026-01-01T00:00:00.000Z', 'Their body\nline 2\n')}`);
    expect(split.sides).toMatchObject({ hunks: 1, hasBase: false });
  });

  it('reads diff3 hunks, drops an empty base and tells a non-empty one', () => {
    const diff3 = '<<<<<<< HEAD\na\n||||||| c78a875\n=======\nb\n>>>>>>> x\n';
    expect(splitConflict(diff3)).toEqual({ ok: true, sides: { ours: 'a\n', theirs: 'b\n', hunks: 1, hasBase: false } });
    const withBase = 'x\n<<<<<<< HEAD\na\n||||||| base\no\n=======\nb\n>>>>>>> x\ny\n';
    expect(splitConflict(withBase)).toEqual({
      ok: true,
      sides: { ours: 'x\na\ny\n', theirs: 'x\nb\ny\n', hunks: 1, hasBase: true },
    });
  });

  it('keeps "=======" outside a hunk as text (a heading underline) and CRLF lines as they are', () => {
    const text = 'Title\r\n=======\r\n<<<<<<< ours\r\na\r\n=======\r\nb\r\n>>>>>>> theirs\r\n';
    const split = splitConflict(text);
    expect(split).toEqual({
      ok: true,
      sides: { ours: 'Title\r\n=======\r\na\r\n', theirs: 'Title\r\n=======\r\nb\r\n', hunks: 1, hasBase: false },
    });
  });

  it('refuses markers out of order, nested or unclosed, naming the line', () => {
    expect(splitConflict('a\n>>>>>>> x\n')).toEqual({
      ok: false,
      error: 'line 2: a >>>>>>> marker outside a conflict',
    });
    expect(splitConflict('<<<<<<< a\nx\n<<<<<<< b\n')).toMatchObject({ ok: false, error: /^line 3:/ });
    expect(splitConflict('<<<<<<< a\nx\n=======\ny\n')).toMatchObject({ ok: false, error: /ends inside a conflict/ });
    expect(splitConflict('no markers\n')).toEqual({ ok: false, error: 'no <<<<<<< line' });
  });

  it('hasConflictMarkers: any marker but a lone "=======", at a line start only', () => {
    expect(hasConflictMarkers(ADD_ADD)).toBe(true);
    expect(hasConflictMarkers('stray\n>>>>>>> theirs\n')).toBe(true);
    expect(hasConflictMarkers('Heading\n=======\n')).toBe(false);
    expect(hasConflictMarkers('text <<<<<<< HEAD inline\n')).toBe(false);
  });
});

describe('analyseConflict', () => {
  it('an add/add conflict of two different items is fixable', () => {
    const analysis = analyseConflict(ADD_ADD, 'TASK-0043', '2026-01-03T00:00:00.000Z');
    expect(analysis.fixable).toBe(true);
    if (!analysis.fixable) return;
    expect(analysis.ours.item).toMatchObject({ title: 'Ours', description: 'Our body\nline 2\n' });
    expect(analysis.theirs.item).toMatchObject({ title: 'Theirs', description: 'Their body\nline 2\n' });
  });

  it("git's staged copy of a side settles the newline git adds before a marker", () => {
    const ours = item('Ours', '2026-01-02T00:00:00.000Z', 'Our body');
    const theirs = item('Theirs', '2026-01-01T00:00:00.000Z', 'Their body');
    const text = `<<<<<<< HEAD\n${ours}\n=======\n${theirs}\n>>>>>>> x\n`;
    const bare = analyseConflict(text, 'TASK-0043', 'now');
    const staged = analyseConflict(text, 'TASK-0043', 'now', { ours, theirs });
    expect(bare.fixable && bare.theirs.item.description).toBe('Their body\n');
    expect(staged.fixable && staged.theirs.item.description).toBe('Their body');
    expect(staged.fixable && staged.ours.text).toBe(ours);
  });

  it('one item edited in two clones is left to a person', () => {
    const sameItem = `---\nid: TASK-0043\ntitle: T\n<<<<<<< HEAD\nstatus: done\n=======\nstatus: blocked\n>>>>>>> x\ncreated_at: 2026-01-01T00:00:00.000Z\n---\nBody\n`;
    expect(analyseConflict(sameItem, 'TASK-0043', 'now')).toMatchObject({ fixable: false, reason: /same created_at/ });
    const ours = item('Ours', '2026-01-02T00:00:00.000Z', 'x');
    expect(analyseConflict(ADD_ADD, 'TASK-0043', 'now', { base: ours })).toMatchObject({
      fixable: false,
      reason: /common base/,
    });
  });

  it('a side that is not an item is left alone', () => {
    const text = '<<<<<<< HEAD\nnot front matter\n=======\nnor this\n>>>>>>> x\n';
    expect(analyseConflict(text, 'TASK-0043', 'now')).toMatchObject({ fixable: false, reason: /^ours does not read/ });
  });
});

describe('renameItemText and statedId', () => {
  it('changes the id line only, keeping quotes and comments', () => {
    const text = item('T', '2026-01-01T00:00:00.000Z', 'id: TASK-0043 in the body stays');
    expect(renameItemText(text, 'TASK-0043', 'TASK-0044')).toBe(text.replace('id: TASK-0043\n', 'id: TASK-0044\n'));
    expect(renameItemText('---\nid: "TASK-0043" # x\n---\n', 'TASK-0043', 'TASK-0044')).toBe(
      '---\nid: "TASK-0044" # x\n---\n',
    );
    expect(statedId("---\nid: 'TASK-0007'\n---\n")).toBe('TASK-0007');
  });

  it('leaves a front matter without id as it is, and refuses an id line it cannot read', () => {
    expect(renameItemText('---\ntitle: T\n---\nid: TASK-0043\n', 'TASK-0043', 'TASK-0044')).toBe(
      '---\ntitle: T\n---\nid: TASK-0043\n',
    );
    expect(renameItemText('---\nid: TASK-0099\n---\n', 'TASK-0043', 'TASK-0044')).toBeUndefined();
    expect(renameItemText('no front matter', 'TASK-0043', 'TASK-0044')).toBeUndefined();
    expect(statedId('---\ntitle: T\n---\n')).toBeUndefined();
  });
});
