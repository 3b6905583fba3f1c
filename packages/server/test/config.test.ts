import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expandHome, loadConfig, parseDotEnv } from '../src/runtime/node/config.js';

const globalDefaults = (dataDir: string) => ({
  dataDir,
  backlogDir: dataDir,
  backlogSource: 'global' as const,
  idleCloseMs: 600_000,
  maxOpenItems: 100_000,
});

describe('expandHome', () => {
  const home = '/home/ada';

  it('expands a lone ~ to the home directory', () => {
    expect(expandHome('~', home)).toBe(home);
  });

  it('expands ~/ and ~\\ prefixes', () => {
    expect(expandHome('~/backlog', home)).toBe(join(home, 'backlog'));
    expect(expandHome('~\\backlog', home)).toBe(join(home, 'backlog'));
  });

  it.each(['/srv/backlog', 'relative/dir', '~other/dir', 'a/~/b', ''])('leaves %j unchanged', (path) => {
    expect(expandHome(path, home)).toBe(path);
  });

  it('uses the real home directory by default', () => {
    expect(expandHome('~/x')).toBe(join(homedir(), 'x'));
  });
});

describe('parseDotEnv', () => {
  it('reads KEY=value lines', () => {
    expect(parseDotEnv('A=1\nB=two words\n')).toEqual({ A: '1', B: 'two words' });
  });

  it('strips matching double and single quotes', () => {
    expect(parseDotEnv('A="quoted value"\nB=\'single\'\n')).toEqual({ A: 'quoted value', B: 'single' });
  });

  it('keeps # inside quotes as part of the value', () => {
    expect(parseDotEnv('A="value # not a comment"')).toEqual({ A: 'value # not a comment' });
  });

  it('drops trailing comments after unquoted values', () => {
    expect(parseDotEnv('PORT=4000 # the viewer port')).toEqual({ PORT: '4000' });
  });

  it('keeps a # that is not preceded by whitespace', () => {
    expect(parseDotEnv('URL=http://x.test/#anchor')).toEqual({ URL: 'http://x.test/#anchor' });
  });

  it('skips comment lines and blank lines', () => {
    expect(parseDotEnv('# a comment\n\n   \n  # indented comment\nA=1')).toEqual({ A: '1' });
  });

  it('accepts an export prefix', () => {
    expect(parseDotEnv('export BACKLOG_HOST=0.0.0.0')).toEqual({ BACKLOG_HOST: '0.0.0.0' });
  });

  it('trims spaces around the key, the = and the value', () => {
    expect(parseDotEnv('  A  =  spaced  ')).toEqual({ A: 'spaced' });
  });

  it('reads CRLF files', () => {
    expect(parseDotEnv('A=1\r\nB=2\r\n')).toEqual({ A: '1', B: '2' });
  });

  it('allows an empty value', () => {
    expect(parseDotEnv('A=\nB=""')).toEqual({ A: '', B: '' });
  });

  it('keeps = signs inside the value', () => {
    expect(parseDotEnv('TOKEN=abc==')).toEqual({ TOKEN: 'abc==' });
  });

  it('lets a later line override an earlier one', () => {
    expect(parseDotEnv('A=1\nA=2')).toEqual({ A: '2' });
  });

  it('ignores lines that are not assignments', () => {
    expect(parseDotEnv('just text\n1BAD=x\nGOOD=y')).toEqual({ GOOD: 'y' });
  });
});

describe('loadConfig', () => {
  let cwd: string;

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'backlog-config-'));
  });

  afterEach(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  function writeDotEnv(text: string): void {
    writeFileSync(join(cwd, '.env'), text);
  }

  describe('defaults', () => {
    it('uses ~/.backlog, port 3030 and 127.0.0.1 with no env and no .env file', () => {
      expect(loadConfig({}, cwd)).toEqual({
        ...globalDefaults(join(homedir(), '.backlog')),
        port: 3030,
        host: '127.0.0.1',
        search: 'deep',
      });
    });

    it('treats blank values as unset', () => {
      const config = loadConfig(
        { BACKLOG_DATA_DIR: '  ', BACKLOG_VIEWER_PORT: '', BACKLOG_HOST: ' ', BACKLOG_ACTOR_NAME: ' ' },
        cwd,
      );
      expect(config).toEqual({
        ...globalDefaults(join(homedir(), '.backlog')),
        port: 3030,
        host: '127.0.0.1',
        search: 'deep',
      });
    });
  });

  describe('precedence', () => {
    it('reads settings from a .env file in cwd', () => {
      writeDotEnv('BACKLOG_DATA_DIR=/srv/from-dotenv\nBACKLOG_VIEWER_PORT=4000\nBACKLOG_HOST=127.0.0.2\n');
      expect(loadConfig({}, cwd)).toEqual({
        ...globalDefaults('/srv/from-dotenv'),
        backlogSource: 'env',
        port: 4000,
        host: '127.0.0.2',
        search: 'deep',
      });
    });

    it('never lets a .env open the server beyond loopback; the real environment still can', () => {
      writeDotEnv('BACKLOG_HOST=0.0.0.0\n');
      const config = loadConfig({}, cwd);
      expect(config.host).toBe('127.0.0.1');
      expect(config.warnings?.[0]).toMatch(/ignored BACKLOG_HOST=0\.0\.0\.0 from .*\.env/);
      for (const host of ['::1', '[::1]', 'localhost', '127.1.2.3']) {
        writeDotEnv(`BACKLOG_HOST=${host}\n`);
        expect(loadConfig({}, cwd).host).toBe(host);
      }
      writeDotEnv('BACKLOG_HOST=0.0.0.0\n');
      expect(loadConfig({ BACKLOG_HOST: '0.0.0.0' }, cwd)).toMatchObject({ host: '0.0.0.0' });
      expect(loadConfig({ BACKLOG_HOST: '0.0.0.0' }, cwd).warnings).toBeUndefined();
    });

    it('lets the environment win over the .env file', () => {
      writeDotEnv('BACKLOG_DATA_DIR=/srv/from-dotenv\nBACKLOG_VIEWER_PORT=4000\n');
      const config = loadConfig({ BACKLOG_DATA_DIR: '/srv/from-env', BACKLOG_VIEWER_PORT: '5000' }, cwd);
      expect(config.dataDir).toBe('/srv/from-env');
      expect(config.port).toBe(5000);
    });

    it('mixes sources per setting: env for one, .env for another, default for the rest', () => {
      writeDotEnv('BACKLOG_VIEWER_PORT=4000\n');
      const config = loadConfig({ BACKLOG_HOST: '::1' }, cwd);
      expect(config).toEqual({
        ...globalDefaults(join(homedir(), '.backlog')),
        port: 4000,
        host: '::1',
        search: 'deep',
      });
    });

    it('only reads .env from the given cwd', () => {
      writeDotEnv('BACKLOG_VIEWER_PORT=4000\n');
      const other = mkdtempSync(join(tmpdir(), 'backlog-config-other-'));
      try {
        expect(loadConfig({}, other).port).toBe(3030);
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    });
  });

  describe('data directory', () => {
    it('expands ~ in BACKLOG_DATA_DIR', () => {
      expect(loadConfig({ BACKLOG_DATA_DIR: '~/my-backlog' }, cwd).dataDir).toBe(join(homedir(), 'my-backlog'));
    });

    it('resolves a relative BACKLOG_DATA_DIR against cwd', () => {
      expect(loadConfig({ BACKLOG_DATA_DIR: 'data' }, cwd).dataDir).toBe(join(cwd, 'data'));
      expect(loadConfig({ BACKLOG_DATA_DIR: './nested/../data' }, cwd).dataDir).toBe(join(cwd, 'data'));
    });

    it('resolves a relative directory from the .env file against cwd too', () => {
      writeDotEnv('BACKLOG_DATA_DIR="./.backlog-data"\n');
      expect(loadConfig({}, cwd).dataDir).toBe(join(cwd, '.backlog-data'));
    });

    it('keeps an absolute directory as given', () => {
      expect(loadConfig({ BACKLOG_DATA_DIR: '/var/lib/backlog' }, cwd).dataDir).toBe('/var/lib/backlog');
    });
  });

  describe('port', () => {
    it.each([
      ['0', 0],
      ['80', 80],
      ['65535', 65535],
    ])('accepts %j', (raw, port) => {
      expect(loadConfig({ BACKLOG_VIEWER_PORT: raw }, cwd).port).toBe(port);
    });

    it.each(['abc', '-1', '65536', '80.5', '3030abc'])('rejects %j with an error naming BACKLOG_VIEWER_PORT', (raw) => {
      expect(() => loadConfig({ BACKLOG_VIEWER_PORT: raw }, cwd)).toThrow(/BACKLOG_VIEWER_PORT/);
    });

    it('rejects an invalid port coming from the .env file', () => {
      writeDotEnv('BACKLOG_VIEWER_PORT=http\n');
      expect(() => loadConfig({}, cwd)).toThrow(/BACKLOG_VIEWER_PORT.*"http"/);
    });

    // Regression: Number() accepts hex and exponent forms, so BACKLOG_VIEWER_PORT=0x50 binds port 80
    // and BACKLOG_VIEWER_PORT=1e3 binds port 1000 instead of being refused.
    it.each(['0x50', '1e3'])('rejects the non-decimal form %j', (raw) => {
      expect(() => loadConfig({ BACKLOG_VIEWER_PORT: raw }, cwd)).toThrow(/BACKLOG_VIEWER_PORT/);
    });
  });

  describe('actor name', () => {
    it('is set, trimmed, when BACKLOG_ACTOR_NAME is given', () => {
      expect(loadConfig({ BACKLOG_ACTOR_NAME: '  claude  ' }, cwd).actorName).toBe('claude');
    });

    it('is left out when not configured', () => {
      expect('actorName' in loadConfig({}, cwd)).toBe(false);
    });
  });
});

describe('BACKLOG_SEARCH', () => {
  it('defaults to "deep", takes "hybrid" and "text" (any case, trimmed), treats blank as unset', () => {
    expect(loadConfig({}, '/nonexistent').search).toBe('deep');
    expect(loadConfig({ BACKLOG_SEARCH: '  ' }, '/nonexistent').search).toBe('deep');
    expect(loadConfig({ BACKLOG_SEARCH: 'deep' }, '/nonexistent').search).toBe('deep');
    expect(loadConfig({ BACKLOG_SEARCH: 'hybrid' }, '/nonexistent').search).toBe('hybrid');
    expect(loadConfig({ BACKLOG_SEARCH: ' Text ' }, '/nonexistent').search).toBe('text');
  });

  it('refuses anything else, naming the variable, the three modes and the value', () => {
    for (const raw of ['semantic', 'full', 'deep,text']) {
      expect(() => loadConfig({ BACKLOG_SEARCH: raw }, '/nonexistent')).toThrow(
        `BACKLOG_SEARCH: expected "deep", "hybrid" or "text", received ${JSON.stringify(raw)}`,
      );
    }
  });
});
