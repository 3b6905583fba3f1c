import { describe, expect, it } from 'vitest';
import { parseItemArgs } from '../src/cli/commands/items.js';
import { isStrictlyNewer, parseVersion } from '../src/cli/semver.js';
import { closest, editDistance } from '../src/cli/suggest.js';
import { backoffDelay, DEFAULT_BACKOFF, Supervisor } from '../src/cli/transport/supervisor.js';
import { count } from '../src/mcp/render.js';

describe('version comparison', () => {
  it('parses /version defensively: whitespace, JSON quotes, a leading v', () => {
    expect(parseVersion(' 0.44.0\n')).toMatchObject({ major: 0, minor: 44, patch: 0 });
    expect(parseVersion('"0.44.0"')).toMatchObject({ minor: 44 });
    expect(parseVersion("'v1.2.3'")).toMatchObject({ major: 1, minor: 2, patch: 3 });
    expect(parseVersion('<html>')).toBeUndefined();
    expect(parseVersion('')).toBeUndefined();
  });

  it('only a strictly newer version wins, compared numerically', () => {
    expect(isStrictlyNewer('0.10.0', '0.9.0')).toBe(true);
    expect(isStrictlyNewer('0.9.0', '0.10.0')).toBe(false);
    expect(isStrictlyNewer('1.0.0', '1.0.0')).toBe(false);
    expect(isStrictlyNewer('1.0.0', '"1.0.0"')).toBe(false);
    expect(isStrictlyNewer('1.0.0', '1.0.0-beta.2')).toBe(true);
    expect(isStrictlyNewer('1.0.0-beta.10', '1.0.0-beta.2')).toBe(true);
    expect(isStrictlyNewer('1.0.0-beta.2', '1.0.0')).toBe(false);
    expect(isStrictlyNewer('2.0.0', 'garbage')).toBe(false);
  });
});

describe('supervisor backoff', () => {
  it('waits 1 s doubling to 30 s', () => {
    const delays = Array.from({ length: 10 }, (_, i) => backoffDelay(DEFAULT_BACKOFF, i) / 1000);
    expect(delays).toEqual([1, 2, 4, 8, 16, 30, 30, 30, 30, 30]);
    expect(DEFAULT_BACKOFF.maxRetries).toBe(10);
  });

  it('gives up after the retries, and the count resets only after a healthy period', async () => {
    let now = 0;
    const supervisor = new Supervisor(
      { initialDelayMs: 1, maxDelayMs: 2, maxRetries: 3, healthyResetMs: 1000 },
      () => {},
      () => now,
    );
    let attempts = 0;
    const failing = async (): Promise<void> => {
      attempts++;
      throw new Error('ECONNREFUSED');
    };
    expect(await supervisor.run('test', failing)).toBe(false);
    expect(attempts).toBe(4); // the immediate attempt and 3 retries
    attempts = 0;
    expect(await supervisor.run('test', failing)).toBe(false);
    expect(attempts).toBe(1); // no fresh budget without a healthy period: no restart storm
    now += 1000;
    attempts = 0;
    expect(await supervisor.run('test', failing)).toBe(false);
    expect(attempts).toBe(4);
    now += 1000;
    let flaky = 0;
    expect(
      await supervisor.run('test', async () => {
        if (++flaky < 3) throw new Error('reset');
      }),
    ).toBe(true);
    expect(supervisor.retryCount).toBe(2);
  });
});

describe('item command arguments', () => {
  it('maps flags to the tool arguments', () => {
    expect(
      parseItemArgs('list', ['--status', 'open,done', '--status', 'blocked', '--limit', '5', '--epic-id', 'EPIC-0001']),
    ).toEqual({
      args: { status: ['open', 'done', 'blocked'], limit: 5, epic_id: 'EPIC-0001' },
      json: false,
    });
    expect(parseItemArgs('get', ['TASK-0001', 'TASK-0002', '--json'])).toEqual({
      args: { id: ['TASK-0001', 'TASK-0002'] },
      json: true,
    });
    expect(parseItemArgs('get', ['TASK-0001']).args).toEqual({ id: 'TASK-0001' });
    expect(parseItemArgs('search', ['hybrid', 'search', '--include-content']).args).toEqual({
      query: 'hybrid search',
      include_content: true,
    });
    expect(parseItemArgs('update', ['TASK-1', '--release', '--clear', 'due-date,epic-id']).args).toEqual({
      id: 'TASK-1',
      claim: false,
      due_date: null,
      epic_id: null,
    });
    expect(parseItemArgs('create', ['T', '--references', 'https://a.test,https://b.test']).args).toEqual({
      title: 'T',
      references: [{ url: 'https://a.test' }, { url: 'https://b.test' }],
    });
  });

  it('rejects what the tool could not take', () => {
    expect(() => parseItemArgs('list', ['--limit', 'lots'])).toThrow(/whole number/);
    expect(() => parseItemArgs('list', ['--bogus'])).toThrow(/bogus/);
    expect(() => parseItemArgs('delete', [])).toThrow(/Missing ID/);
    expect(() => parseItemArgs('delete', ['A', 'B'])).toThrow(/Expected one ID/);
    expect(() => parseItemArgs('update', ['T', '--clear', 'title'])).toThrow(/cannot be cleared/);
  });

  it('names what is missing plainly: "Missing ID.", not the usage placeholder "ID..."', () => {
    expect(() => parseItemArgs('get', [])).toThrow(/^Missing ID\. Run "backlog-mcp get --help" for the options\.$/);
    expect(() => parseItemArgs('search', [])).toThrow(/^Missing QUERY\. /);
  });

  it('suggests the flag a mistyped one most likely meant', () => {
    const message = (command: string, argv: string[]): string => {
      try {
        parseItemArgs(command, argv);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(message('list', ['--stauts', 'open'])).toBe('Unknown option --stauts. Did you mean --status?');
    expect(message('list', ['--stauts=open'])).toBe('Unknown option --stauts. Did you mean --status?');
    expect(message('list', ['--epic', 'EPIC-0001'])).toBe('Unknown option --epic. Did you mean --epic-id?');
    expect(message('create', ['T', '--desc', 'x'])).toBe('Unknown option --desc. Did you mean --description?');
    expect(message('update', ['T', '--blocked-reson', 'x'])).toBe(
      'Unknown option --blocked-reson. Did you mean --blocked-reason?',
    );
    expect(message('search', ['q', '--jsno'])).toBe('Unknown option --jsno. Did you mean --json?');
    expect(message('list', ['--frobnicate'])).toBe(
      'Unknown option --frobnicate. Run "backlog-mcp list --help" for the options.',
    );
    expect(message('list', ['-x'])).toBe('Unknown option -x. Run "backlog-mcp list --help" for the options.');
    expect(message('list', ['--status'])).toBe(
      '--status needs a value. Run "backlog-mcp list --help" for the options.',
    );
    expect(message('list', ['--json=yes'])).toBe(
      '--json takes no value. Run "backlog-mcp list --help" for the options.',
    );
  });
});

describe('closest', () => {
  it('counts a swap of two neighbours as one edit and stays quiet when nothing is close', () => {
    expect(editDistance('stauts', 'status')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closest('lsit', ['list', 'get', 'search'])).toBe('list');
    expect(closest('serach', ['list', 'get', 'search'])).toBe('search');
    expect(closest('zzz', ['list', 'get', 'search'])).toBeUndefined();
    expect(closest('--', ['--json'])).toBeUndefined();
  });
});

describe('count', () => {
  it('pairs a number with the singular only for one', () => {
    expect([0, 1, 2].map((n) => count(n, 'item'))).toEqual(['0 items', '1 item', '2 items']);
    expect(count(1, 'match', 'matches')).toBe('1 match');
    expect(count(3, 'match', 'matches')).toBe('3 matches');
  });
});
