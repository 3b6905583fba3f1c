import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/activity.js';
import { type MemoryBacklog, openMemoryBacklog } from './support/memory-ports.js';
import { rejection } from './support/rejection.js';

const me: Actor = { tool: 'test', name: 'me' };
const many = (n: number, prefix = 'label') => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

describe('labels', () => {
  let env: MemoryBacklog;

  beforeEach(async () => {
    env = await openMemoryBacklog();
  });

  const labelled = async (labels: string[]) => env.backlog.create({ title: 'labelled', labels }, me);

  it('are stored in one spelling: trimmed, lower-case, inner spaces collapsed, first one wins', async () => {
    const item = await labelled(['  Front   End ', 'front end', 'API', 'api', 'Ops']);
    expect(item.labels).toEqual(['front end', 'api', 'ops']);
  });

  it('are absent, not empty, when none are given', async () => {
    expect(await labelled([])).not.toHaveProperty('labels');
  });

  it('count after normalising: 25 spellings of 20 labels are fine', async () => {
    const item = await labelled([...many(20), ...many(5).map((label) => label.toUpperCase())]);
    expect(item.labels).toHaveLength(20);
  });

  describe('refuses, naming the field and the label', () => {
    it.each([
      ['an empty label', ['ok', '   '], 'labels: expected non-empty labels, received "   ".'],
      [
        'a label over 40 characters',
        ['x'.repeat(41)],
        `labels: expected labels of at most 40 characters, received "${'x'.repeat(41)}".`,
      ],
      ['a comma', ['a,b'], 'labels: expected labels without commas or control characters, received "a,b".'],
      ['a control character', ['a\tb'], 'labels: expected labels without commas or control characters'],
      ['more than 20 labels', many(21), 'labels: expected at most 20 labels per item, received "21 labels".'],
    ])('%s', async (_, labels, message) => {
      const error = await rejection(labelled(labels));
      expect(error.kind).toBe('invalid');
      expect(error.field).toBe('labels');
      expect(error.message.startsWith(message)).toBe(true);
      expect(await env.backlog.count()).toBe(0);
    });
  });

  describe('on update', () => {
    let id: string;
    beforeEach(async () => {
      ({ id } = await labelled(['api']));
    });
    const update = (patch: Parameters<MemoryBacklog['backlog']['update']>[1]) => env.backlog.update(id, patch, me);

    it('are added and removed in any spelling', async () => {
      expect((await update({ add_labels: [' UI ', 'API'] })).item.labels).toEqual(['api', 'ui']);
      expect((await update({ remove_labels: ['Api'] })).item.labels).toEqual(['ui']);
    });

    it('are replaced, then added to, then removed from, in one call', async () => {
      const { item, changed } = await update({ labels: ['X', 'y'], add_labels: ['z'], remove_labels: ['x'] });
      expect(item.labels).toEqual(['y', 'z']);
      expect(changed).toEqual(['labels']);
    });

    it('are gone once the last one is removed', async () => {
      const { item } = await update({ remove_labels: ['API'] });
      expect(item).not.toHaveProperty('labels');
    });

    it('change nothing when removing a label the item does not have', async () => {
      const { item, changed } = await update({ remove_labels: ['never-there'] });
      expect(changed).toEqual([]);
      expect(item.version).toBe(1);
    });

    it('name add_labels when an added label is bad or one too many', async () => {
      const bad = await rejection(update({ add_labels: ['a,b'] }));
      expect(bad.field).toBe('add_labels');
      expect(bad.message).toBe('add_labels: expected labels without commas or control characters, received "a,b".');
      await update({ labels: many(20) });
      const full = await rejection(update({ add_labels: ['one-more'] }));
      expect(full.field).toBe('add_labels');
      expect(full.message).toBe('add_labels: expected at most 20 labels per item, received "21 labels".');
    });
  });

  it('filter lists in any spelling, every label required', async () => {
    const both = await labelled(['ui', 'bug']);
    const ui = await labelled(['ui']);
    await labelled(['bug']);
    const ids = async (labels: string[]) => (await env.backlog.list({ labels })).items.map((stub) => stub.id);
    expect((await ids([' UI '])).sort()).toEqual([both.id, ui.id].sort());
    expect(await ids(['Bug', 'ui'])).toEqual([both.id]);
    expect(await ids(['missing'])).toEqual([]);
  });

  it('are counted, most used first, ties by name', async () => {
    await labelled(['ui', 'bug']);
    await labelled(['ui']);
    await labelled(['api', 'bug', 'ui']);
    expect(await env.backlog.labels()).toEqual([
      { name: 'ui', count: 3 },
      { name: 'bug', count: 2 },
      { name: 'api', count: 1 },
    ]);
  });
});
