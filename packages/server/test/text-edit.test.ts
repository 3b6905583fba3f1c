import { describe, expect, it } from 'vitest';
import { BacklogError } from '../src/core/errors.js';
import { applyEdit, type EditOperation } from '../src/core/text-edit.js';

/** Runs an edit that must fail and returns the error, checked to be a BacklogError. */
function editError(content: string, op: EditOperation): BacklogError {
  try {
    applyEdit(content, op);
  } catch (error) {
    expect(error).toBeInstanceOf(BacklogError);
    return error as BacklogError;
  }
  throw new Error('expected applyEdit to throw');
}

describe('str_replace', () => {
  it('replaces a unique match and leaves the rest untouched', () => {
    const content = '# Plan\n\n- step one\n- step two\n';
    expect(applyEdit(content, { type: 'str_replace', old_str: 'step two', new_str: 'step 2 (done)' })).toBe(
      '# Plan\n\n- step one\n- step 2 (done)\n',
    );
  });

  it('matches across lines', () => {
    expect(applyEdit('a\nb\nc\n', { type: 'str_replace', old_str: 'a\nb\n', new_str: 'x\n' })).toBe('x\nc\n');
  });

  it('can delete text by replacing it with an empty string', () => {
    expect(applyEdit('keep DROP keep', { type: 'str_replace', old_str: ' DROP', new_str: '' })).toBe('keep keep');
  });

  it.each([
    ['$&', 'price: $&'],
    ['$1', 'group $1 here'],
    ['$$', 'costs $$'],
    ["$` and $'", "before $` after $'"],
  ])('keeps %s in new_str literal', (_label, newStr) => {
    expect(applyEdit('value: OLD;', { type: 'str_replace', old_str: 'OLD', new_str: newStr })).toBe(
      `value: ${newStr};`,
    );
  });

  it('treats regex characters in old_str literally', () => {
    expect(applyEdit('call f(a.b*) now', { type: 'str_replace', old_str: 'f(a.b*)', new_str: 'g()' })).toBe(
      'call g() now',
    );
  });

  it('reports a miss with the closest line number and its text', () => {
    const content = 'alpha line\nbeta line\ngamma line\n';
    const error = editError(content, { type: 'str_replace', old_str: 'beta lime', new_str: 'x' });
    expect(error.field).toBe('operation.old_str');
    expect(error.message).toContain('not found');
    expect(error.message).toContain('closest line is 2');
    expect(error.message).toContain('"beta line"');
  });

  it('uses the first non-blank line of a multi-line old_str to find the near miss', () => {
    const content = 'one\ntwo\nthe quick brown fox\n';
    const error = editError(content, { type: 'str_replace', old_str: '\nthe quick brown cat\nmore', new_str: 'x' });
    expect(error.message).toContain('closest line is 3');
  });

  it('still reports a miss when no line is similar', () => {
    const error = editError('aaaa\n', { type: 'str_replace', old_str: 'zzzz', new_str: 'x' });
    expect(error.message).toContain('not found');
    expect(error.message).not.toContain('closest');
  });

  it('refuses an ambiguous match and says how many times it was found', () => {
    const content = 'TODO: a\nTODO: b\nTODO: c\n';
    const error = editError(content, { type: 'str_replace', old_str: 'TODO', new_str: 'DONE' });
    expect(error.field).toBe('operation.old_str');
    expect(error.message).toContain('found 3 times');
  });

  it('counts overlapping matches as ambiguous', () => {
    expect(editError('aaa', { type: 'str_replace', old_str: 'aa', new_str: 'x' }).message).toContain('found 2 times');
  });

  it('rejects an empty old_str', () => {
    const error = editError('text', { type: 'str_replace', old_str: '', new_str: 'x' });
    expect(error.field).toBe('operation.old_str');
  });

  it('rejects a missing old_str or new_str, naming the field', () => {
    expect(editError('text', { type: 'str_replace', new_str: 'x' }).field).toBe('operation.old_str');
    expect(editError('text', { type: 'str_replace', old_str: 'text' }).field).toBe('operation.new_str');
  });
});

describe('insert', () => {
  const content = 'first\nsecond\nthird\n';

  it('inserts before the first line for insert_line 0', () => {
    expect(applyEdit(content, { type: 'insert', insert_line: 0, new_str: 'zero' })).toBe(
      'zero\nfirst\nsecond\nthird\n',
    );
  });

  it('inserts after a middle line', () => {
    expect(applyEdit(content, { type: 'insert', insert_line: 2, new_str: 'two and a half' })).toBe(
      'first\nsecond\ntwo and a half\nthird\n',
    );
  });

  it('inserts after the last line', () => {
    expect(applyEdit(content, { type: 'insert', insert_line: 3, new_str: 'fourth' })).toBe(
      'first\nsecond\nthird\nfourth\n',
    );
  });

  it('inserts several lines at once', () => {
    expect(applyEdit(content, { type: 'insert', insert_line: 1, new_str: 'a\nb' })).toBe(
      'first\na\nb\nsecond\nthird\n',
    );
  });

  it('does not add a blank line when new_str ends with a newline', () => {
    expect(applyEdit(content, { type: 'insert', insert_line: 1, new_str: 'a\n' })).toBe('first\na\nsecond\nthird\n');
  });

  it('keeps a file without a trailing newline without one', () => {
    expect(applyEdit('a\nb', { type: 'insert', insert_line: 2, new_str: 'c' })).toBe('a\nb\nc');
    expect(applyEdit('a\nb', { type: 'insert', insert_line: 0, new_str: 'z' })).toBe('z\na\nb');
  });

  it('keeps a file with a trailing newline with exactly one', () => {
    expect(applyEdit('a\nb\n', { type: 'insert', insert_line: 2, new_str: 'c\n' })).toBe('a\nb\nc\n');
  });

  it('counts blank lines as lines', () => {
    expect(applyEdit('a\n\n', { type: 'insert', insert_line: 2, new_str: 'x' })).toBe('a\n\nx\n');
  });

  it('inserts into an empty file at line 0', () => {
    expect(applyEdit('', { type: 'insert', insert_line: 0, new_str: 'hello' })).toBe('hello');
  });

  it('refuses a line past the end, naming insert_line and the allowed range', () => {
    const error = editError(content, { type: 'insert', insert_line: 4, new_str: 'x' });
    expect(error.field).toBe('operation.insert_line');
    expect(error.message).toContain('operation.insert_line');
    expect(error.message).toContain('0 to 3');
    expect(error.message).toContain('4');
  });

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['NaN', Number.NaN],
    ['missing', undefined],
  ])('refuses a %s insert_line', (_label, line) => {
    expect(editError(content, { type: 'insert', insert_line: line, new_str: 'x' }).field).toBe('operation.insert_line');
  });

  it('refuses a missing new_str', () => {
    expect(editError(content, { type: 'insert', insert_line: 0 }).field).toBe('operation.new_str');
  });
});

describe('append', () => {
  it('adds a newline separator when the content does not end with one', () => {
    expect(applyEdit('last line', { type: 'append', new_str: 'added' })).toBe('last line\nadded');
  });

  it('adds no separator when the content already ends with a newline', () => {
    expect(applyEdit('last line\n', { type: 'append', new_str: 'added\n' })).toBe('last line\nadded\n');
  });

  it('adds no separator to an empty file', () => {
    expect(applyEdit('', { type: 'append', new_str: 'first entry\n' })).toBe('first entry\n');
  });

  it('keeps $ sequences literal', () => {
    expect(applyEdit('x\n', { type: 'append', new_str: '$& $1 $$' })).toBe('x\n$& $1 $$');
  });

  it('refuses a missing new_str', () => {
    expect(editError('x', { type: 'append' }).field).toBe('operation.new_str');
  });
});
