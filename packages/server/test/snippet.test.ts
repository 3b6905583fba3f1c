import { describe, expect, it } from 'vitest';
import { makeSnippet, markdownToText } from '../src/core/snippet.js';

describe('makeSnippet: plain text around the match', () => {
  it('strips emphasis, headings, lists, task boxes, fences, inline code, links, tables, HTML and quotes', () => {
    const body = [
      '# Retry plan ##',
      '',
      'Intro with **bold retry** and _italic_ and ~~struck~~ words.',
      '',
      '- [ ] retry box',
      '- [x] done box',
      '* star item',
      '1. numbered item',
      '',
      '```ts',
      'const retries = 3; // retry',
      '```',
      '',
      'Call `retryLater()` or see [the docs](https://example.com/docs "Docs") and ![a diagram](img.png).',
      '',
      '| name | value |',
      '|------|------:|',
      '| alpha | 1 |',
      '',
      '> quoted retry',
      '',
      '<details><summary>More</summary>hidden <b>retry</b></details>',
      '<!-- SECTION:NOTES:BEGIN -->',
      'Setext heading',
      '===',
      '---',
    ].join('\n');
    const text = makeSnippet(body, ['retry'], 10_000);
    for (const syntax of [
      '**',
      '~~',
      '[ ]',
      '[x]',
      '```',
      '`',
      '](',
      '![',
      '#',
      '|',
      '<',
      '>',
      '---',
      '===',
      '- ',
      '* ',
    ])
      expect(text, syntax).not.toContain(syntax);
    expect(text).toBe(
      'Retry plan Intro with bold retry and italic and struck words. retry box done box star item numbered item ' +
        'const retries = 3; // retry Call retryLater() or see the docs and a diagram. name value alpha 1 ' +
        'quoted retry More hidden retry Setext heading',
    );
  });

  it('keeps what is text: snake_case, a lone star, escaped syntax, code as written, entities', () => {
    expect(markdownToText('use snake_case_name and 2 * 3')).toBe('use snake_case_name and 2 * 3');
    expect(markdownToText('a literal \\*star\\* and \\# hash')).toBe('a literal *star* and # hash');
    expect(markdownToText('code `**not bold**` and `a\\*b`')).toBe('code **not bold** and a\\*b');
    expect(markdownToText('Tom &amp; Jerry &lt;3')).toBe('Tom & Jerry <3');
    expect(markdownToText('```\n# not a heading inside code\n```')).toBe('# not a heading inside code');
  });

  it('cuts long text around the first matched term, on word boundaries, with ellipses', () => {
    const filler = 'lorem ipsum dolor sit amet '.repeat(20);
    const snippet = makeSnippet(`${filler}**the retry loop** ${filler}`, ['retry']);
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet).toContain('the retry loop');
    expect(snippet).not.toContain('**');
    // Whole words at both ends.
    expect(
      snippet
        .slice(1, -1)
        .split(' ')
        .every((word) => filler.includes(word) || /the|retry|loop/.test(word)),
    ).toBe(true);
    expect(snippet.length).toBeLessThanOrEqual(162);
  });

  it('short plain text comes back as it is, whitespace collapsed', () => {
    expect(makeSnippet('  two\n\nlines  ', ['two'])).toBe('two lines');
  });
});
