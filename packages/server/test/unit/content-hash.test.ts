import { describe, expect, it } from 'vitest';
import { contentHash, contentHashOf } from '../../src/core/content-hash.js';

describe('contentHashOf', () => {
  it('is the hash of the parts joined by U+0000, so saved hashes stay valid', () => {
    for (const parts of [[''], ['a'], ['title', 'body text', '', 'labels'], ['naïve 日本語', '🚀'], ['', '']]) {
      expect(contentHashOf(parts)).toBe(contentHash(parts.join('\u0000')));
    }
    expect(contentHashOf(['ab', 'c'])).not.toBe(contentHashOf(['a', 'bc']));
  });
});
