import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodObject, ZodRawShape } from 'zod';
import { CONFLICT_MARKERS } from '../src/core/rules.js';
import { createMcpServer } from '../src/mcp/server.js';
import { TOOLS } from '../src/mcp/tools/index.js';
import { type NodeBacklog, openNodeBacklog } from '../src/runtime/node/backlog.js';
import { readDisk, scaled } from './support/hardening.js';
import { authHeaders, call, connectHttp, removeDir, startHttpServer, tempDataDir, textOf } from './support/servers.js';

/**
 * Issue 8, point 3: property-based tests over every tool's input. In process (the real
 * McpServer over the SDK's in-memory transport, the real Markdown store on disk) for
 * speed, plus a smaller round-trip run over the real HTTP transport.
 */

const RUNS = scaled(8000, 1200);
const ROUND_TRIPS = scaled(2000, 300);
const HTTP_ROUND_TRIPS = scaled(200, 40);
const figures = { cases: 0 };

/** What requireTitle refuses; titles outside it must be refused, titles inside it must round-trip. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the title rule is about control characters
const TITLE_FORBIDDEN = /[\u0000-\u0008\u000a-\u001f\u007f\u0085\u2028\u2029]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const YAML_SPECIAL = [
  '---',
  '--- ',
  '...',
  ': ',
  'a: b',
  '#',
  '# heading',
  '"',
  "'",
  '"quoted"',
  "'single'",
  '- item',
  '? key',
  '|',
  '>',
  '&anchor',
  '*alias',
  '!!binary',
  '!tag',
  '%YAML 1.2',
  '@',
  '`',
  '{',
  '}',
  '[',
  ']',
  ',',
  '0123',
  '0x1F',
  '1e3',
  '.inf',
  'yes',
  'no',
  'null',
  '~',
  'true',
  '2026-01-01',
  '12:30:00',
  '\t',
  ' ',
  '\\',
  '\uFEFF',
  'é',
  'e\u0301',
  '😀',
  '\u200B',
  '\u202E',
  'ﬁ',
  '<<<<<<< HEAD',
  '=======',
  '>>>>>>> branch',
];

const BODY_SPECIAL = [
  ...YAML_SPECIAL,
  '\n',
  '\r\n',
  '\r',
  '\u2028',
  '\u2029',
  '\u0000',
  '\u0085',
  '\u001b[31m',
  '---\n',
  '---\r\n',
  '\n---\n',
  '---\nid: TASK-0001\ntitle: forged\nstatus: done\n---\n',
  '---\ntitle: [unclosed\n',
  '<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> branch\n',
  '```yaml\n---\n```\n',
  '<script>alert(1)</script>',
];

/** Text built from dangerous pieces and arbitrary Unicode. */
function pieces(specials: readonly string[], maxLength: number): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(fc.constantFrom(...specials), fc.string({ unit: 'binary', maxLength: 12 })), { maxLength: 12 })
    .map((parts) => parts.join('').slice(0, maxLength));
}

const validTitle = fc
  .oneof(pieces(YAML_SPECIAL, 500), fc.string({ unit: 'binary', minLength: 1, maxLength: 500 }))
  .filter((t) => t.trim().length > 0 && !TITLE_FORBIDDEN.test(t) && !LONE_SURROGATE.test(t));

const validBody = fc
  .oneof(pieces(BODY_SPECIAL, 4000), fc.string({ unit: 'binary', maxLength: 2000 }))
  .filter((t) => !LONE_SURROGATE.test(t) && !CONFLICT_MARKERS.test(t));

/** 16-bit code units, so unpaired surrogates turn up too. */
const codeUnits = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)),
  maxLength: 20,
});

const HUGE = 'x'.repeat(1024 * 1024 + 1);

const hostileString = fc.oneof(
  { weight: 4, arbitrary: pieces(BODY_SPECIAL, 200) },
  { weight: 2, arbitrary: codeUnits },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '..',
      '../../etc/passwd',
      '/etc/passwd',
      '%2e%2e%2fetc%2fpasswd',
      'TASK-0001',
      'task 1',
      'TASK-99999999999999999999',
      'EPIC-0001',
      'mcp://backlog/tasks/TASK-0001.md',
      'mcp://backlog/resources/../tasks/TASK-0001.md',
      'mcp://backlog/resources/%2e%2e/x',
      'file:///etc/passwd',
      '[1,2',
      '{"type":"append","new_str":"x"}',
      '["TASK-0001"]',
    ),
  },
  { weight: 1, arbitrary: fc.constant(HUGE) },
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), hostileString, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);

const ids = fc.constantFrom('TASK-0001', 'TASK-0002', 'TASK-0003', 'EPIC-0001', 'FLDR-0001', 'task-2', 'TASK-0404');

/** Values that are right often enough to get past validation and exercise the core. */
function plausible(field: string): fc.Arbitrary<unknown> {
  switch (field) {
    case 'id':
    case 'task_id':
    case 'epic_id':
    case 'parent_id':
      return ids;
    case 'blocked_by':
      return fc.array(ids, { maxLength: 3 });
    case 'title':
      return validTitle;
    case 'description':
      return validBody;
    case 'query':
      return pieces(YAML_SPECIAL, 100);
    case 'uri':
      return fc.oneof(
        ids.map((id) => `mcp://backlog/tasks/${id}.md`),
        fc.constantFrom('mcp://backlog/resources/notes.md', 'mcp://backlog/resources/../notes.md'),
      );
    case 'operation':
      return fc.record(
        {
          type: fc.constantFrom('str_replace', 'insert', 'append'),
          old_str: fc.oneof(fc.constantFrom('body', 'line'), validBody),
          new_str: validBody,
          insert_line: fc.integer({ min: -1, max: 5 }),
        },
        { requiredKeys: ['type'] },
      );
    case 'status':
      return fc.constantFrom('open', 'in_progress', 'blocked', 'done', 'cancelled');
    case 'type':
      return fc.constantFrom('task', 'epic', 'folder', 'artifact', 'milestone');
    case 'evidence':
    case 'blocked_reason':
      return fc.array(validBody, { maxLength: 3 });
    case 'due_date':
      return fc.constantFrom('2026-12-31', '2026-02-30', '2026-13-01');
    case 'limit':
      return fc.integer({ min: -5, max: 2000 });
    case 'references':
      return fc.array(fc.record({ url: pieces(YAML_SPECIAL, 60), title: validTitle }, { requiredKeys: ['url'] }), {
        maxLength: 2,
      });
    default:
      return fc.boolean();
  }
}

function argsFor(fields: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const shape = Object.fromEntries(
    fields.map((field) => [
      field,
      fc.oneof({ weight: 3, arbitrary: plausible(field) }, { weight: 2, arbitrary: hostileValue }),
    ]),
  );
  return fc
    .tuple(
      fc.record(shape, { requiredKeys: [] }),
      fc.option(fc.tuple(fc.constantFrom('titel', 'descripton', '__proto__x', 'constructor', 'file'), hostileValue)),
    )
    .map(([args, extra]) => (extra ? { ...args, [extra[0]]: extra[1] } : args));
}

function fieldsOf(tool: (typeof TOOLS)[number]): string[] {
  return Object.keys((tool.input as unknown as ZodObject<ZodRawShape>).shape);
}

describe('hostile input, in process', () => {
  let dataDir: string;
  let node: NodeBacklog;
  let client: Client;

  beforeAll(async () => {
    dataDir = await tempDataDir();
    node = await openNodeBacklog({ dataDir, log: () => undefined, watch: false });
    const server = createMcpServer(node.backlog, { version: 'fuzz' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    client = new Client({ name: 'fuzzer', version: '1.0.0' });
    await client.connect(clientSide);
    await call(client, 'backlog_create', { title: 'Seed epic', type: 'epic' });
    await call(client, 'backlog_create', { title: 'Seed folder', type: 'folder' });
    for (let i = 0; i < 3; i++)
      await call(client, 'backlog_create', { title: `Seed ${i}`, description: 'body\nline\n' });
  });
  afterAll(async () => {
    await client?.close();
    await node?.close();
    console.log(`fuzz: ${figures.cases} property cases run, 0 crashes, 0 broken files`);
    await removeDir(dataDir);
  });

  it('round-trips any valid title and body byte for byte, through get and through the file', async () => {
    await fc.assert(
      fc.asyncProperty(validTitle, validBody, async (title, description) => {
        figures.cases++;
        const created = await call<{ id: string }>(client, 'backlog_create', { title, description });
        const got = await call<{ items: Array<{ title: string; description: string }> }>(client, 'backlog_get', {
          id: created.id,
        });
        expect(got.items[0]?.title).toBe(title);
        expect(got.items[0]?.description).toBe(description);
        const disk = await readDisk(dataDir);
        expect(disk.items.get(created.id)?.title).toBe(title);
        expect(disk.items.get(created.id)?.description).toBe(description);
        await call(client, 'backlog_delete', { id: created.id });
      }),
      { numRuns: ROUND_TRIPS },
    );
  });

  it('round-trips evidence, blocked reasons and reference titles through the file', async () => {
    const target = await call<{ id: string }>(client, 'backlog_create', { title: 'lists' });
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          validBody.filter((t) => t.length > 0),
          { minLength: 1, maxLength: 3 },
        ),
        validTitle,
        async (evidence, refTitle) => {
          figures.cases++;
          await call(client, 'backlog_update', {
            id: target.id,
            evidence,
            blocked_reason: evidence,
            references: [{ url: 'https://example.com/x', title: refTitle }],
          });
          const item = (await readDisk(dataDir)).items.get(target.id);
          expect(item?.evidence).toEqual(evidence);
          expect(item?.blocked_reason).toEqual(evidence);
          expect(item?.references).toEqual([{ url: 'https://example.com/x', title: refTitle }]);
        },
      ),
      { numRuns: Math.ceil(ROUND_TRIPS / 4) },
    );
  });

  it('refuses titles with line breaks, control characters or unpaired surrogates, naming the field', async () => {
    const badTitle = fc
      .tuple(
        validTitle,
        fc.constantFrom('\n', '\r', '\u0000', '\u001b', '\u007f', '\u2028', '\u0085', '\uD800', '\uDFFF'),
      )
      .map(([t, bad]) => t + bad);
    await fc.assert(
      fc.asyncProperty(badTitle, async (title) => {
        figures.cases++;
        const result = (await client.callTool({ name: 'backlog_create', arguments: { title } })) as CallToolResult;
        expect(result.isError).toBe(true);
        expect(textOf(result)).toMatch(/title/);
      }),
      { numRuns: Math.ceil(RUNS / 10) },
    );
  });

  it('refuses a body holding a merge-conflict block, naming the field, and writes nothing', async () => {
    const conflict = fc
      .tuple(validBody, validBody)
      .map(([a, b]) => `${a}\n<<<<<<< HEAD\n${a.length}\n=======\n${b.length}\n>>>>>>> other\n${b}`);
    await fc.assert(
      fc.asyncProperty(conflict, async (description) => {
        figures.cases++;
        const before = await readDisk(dataDir);
        const created = (await client.callTool({
          name: 'backlog_create',
          arguments: { title: 'conflicted', description },
        })) as CallToolResult;
        expect(created.isError).toBe(true);
        expect(textOf(created)).toMatch(/^description:/);
        const edited = (await client.callTool({
          name: 'write_resource',
          arguments: { uri: 'mcp://backlog/tasks/TASK-0003.md', operation: { type: 'append', new_str: description } },
        })) as CallToolResult;
        expect(edited.isError).toBe(true);
        expect(textOf(edited)).toMatch(/^operation\.new_str:/);
        expect([...(await readDisk(dataDir)).items.keys()]).toEqual([...before.items.keys()]);
      }),
      { numRuns: Math.ceil(RUNS / 20) },
    );
  });

  for (const tool of TOOLS) {
    it(`${tool.name}: any input gives a result or an error naming a field; nothing crashes or breaks a file`, async () => {
      const fields = fieldsOf(tool);
      await fc.assert(
        fc.asyncProperty(argsFor(fields), async (args) => {
          figures.cases++;
          let result: CallToolResult;
          try {
            result = (await client.callTool({ name: tool.name, arguments: args })) as CallToolResult;
          } catch (error) {
            // The SDK's own request validation refuses an argument named "constructor" before any tool runs.
            expect(Object.keys(args), String(error)).toContain('constructor');
            return;
          }
          const text = textOf(result);
          expect(text).not.toMatch(/Internal error|Output validation error|TypeError|RangeError|undefined is not/);
          if (result.isError) {
            const named = [...fields, ...Object.keys(args)].some((field) => text.includes(field));
            expect(named, `${tool.name} error names no field: ${text.slice(0, 300)}`).toBe(true);
          }
          // Keep the seeds alive so later cases reach the core instead of "not found".
          if (tool.name === 'backlog_delete' && !result.isError) {
            await call(client, 'backlog_create', { title: 'reseed' });
          }
        }),
        { numRuns: Math.ceil(RUNS / TOOLS.length) },
      );
      const disk = await readDisk(dataDir);
      expect(disk.corrupt).toEqual(new Map());
      expect(disk.dotFiles).toEqual([]);
      // Memory and disk agree: nothing the fuzzer sent made the two diverge.
      for (const item of (await node.store.snapshot()).items) {
        expect(disk.items.get(item.id)?.title, item.id).toBe(item.title);
        expect(disk.items.get(item.id)?.description, item.id).toBe(item.description);
      }
    }, 300_000);
  }
});

describe('hostile input over the real HTTP transport', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let dataDir: string;
  let client: Client;
  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startHttpServer(dataDir);
    client = await connectHttp(server.url, 'http-fuzzer');
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await removeDir(dataDir);
  });

  it('round-trips titles and bodies byte for byte over JSON-RPC on HTTP', async () => {
    await fc.assert(
      fc.asyncProperty(validTitle, validBody, async (title, description) => {
        figures.cases++;
        const created = await call<{ id: string }>(client, 'backlog_create', { title, description });
        const got = await call<{ items: Array<{ title: string; description: string }> }>(client, 'backlog_get', {
          id: created.id,
        });
        expect(got.items[0]?.title).toBe(title);
        expect(got.items[0]?.description).toBe(description);
      }),
      { numRuns: HTTP_ROUND_TRIPS },
    );
    const disk = await readDisk(dataDir);
    expect(disk.corrupt).toEqual(new Map());
    expect(disk.items.size).toBe(HTTP_ROUND_TRIPS);
  }, 300_000);

  it('keeps the server up through hostile arguments to every tool', async () => {
    for (const tool of TOOLS) {
      const samples = fc.sample(argsFor(fieldsOf(tool)), { numRuns: Math.ceil(HTTP_ROUND_TRIPS / 4), seed: 7 });
      for (const args of samples) {
        figures.cases++;
        const result = (await client
          .callTool({ name: tool.name, arguments: args })
          .catch((error: unknown) => ({ content: [], error }))) as CallToolResult & { error?: unknown };
        if (result.error) expect(Object.keys(args), String(result.error)).toContain('constructor');
        else expect(textOf(result)).not.toMatch(/Internal error/);
      }
    }
    const health = await fetch(`${server.url}/health`, { headers: authHeaders(server.url) });
    expect(health.status).toBe(200);
    expect((await readDisk(dataDir)).corrupt).toEqual(new Map());
  }, 300_000);
});
