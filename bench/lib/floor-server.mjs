// The machine's floor for a durable create (issue 21): an HTTP server that does nothing but what
// any server keeping one file per item must do, with our write protocol (group-commit.ts). Each
// POST parses its JSON-RPC body, links a complete new file in place from the thread pool, and is
// answered once a round has synced its data and the folder (one fsync wait per round). No MCP, no
// validation, no index, no journal, no events, no watcher. The storm row compares us against it.
//
// node bench/lib/floor-server.mjs <dir> <port>; prints "ready" once listening.
import { close, fsync, link, mkdirSync, open, unlink, write } from 'node:fs';
import http from 'node:http';

const [dir, port] = process.argv.slice(2);
mkdirSync(dir, { recursive: true });

const call = (start) =>
  new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
const syncFile = (fd) => call((done) => fsync(fd, done)).finally(() => close(fd, () => undefined));
const syncFolder = () => call((done) => open(dir, 'r', done)).then(syncFile);

let queue = [];
let running;
async function drain() {
  while (queue.length > 0) {
    const round = queue;
    queue = [];
    await Promise.all([syncFolder(), ...round.map((entry) => syncFile(entry.fd))]);
    for (const entry of round) entry.durable();
  }
  running = undefined;
}

let next = 1;
async function create(title) {
  const id = `TASK-${String(next++).padStart(4, '0')}`;
  const bytes = Buffer.from(
    `---\nid: ${id}\ntitle: ${JSON.stringify(title)}\nstatus: open\ncreated_at: '${new Date().toISOString()}'\n---\n\nA short body.\n`,
  );
  const temp = `${dir}/.${id}.md.tmp`;
  const fd = await call((done) => open(temp, 'wx', 0o644, done));
  await call((done) => write(fd, bytes, 0, bytes.length, null, done));
  await call((done) => link(temp, `${dir}/${id}.md`, done));
  unlink(temp, () => undefined);
  await new Promise((durable) => {
    queue.push({ fd, durable });
    running ??= drain();
  });
  return { id, title };
}

function answer(response, status, headers, body) {
  response.writeHead(status, headers);
  response.end(body);
}

http
  .createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', async () => {
      const message = JSON.parse(body);
      const json = { 'content-type': 'application/json' };
      if (message.method === 'initialize')
        return answer(
          response,
          200,
          { ...json, 'mcp-session-id': 'floor' },
          JSON.stringify({ jsonrpc: '2.0', id: message.id, result: {} }),
        );
      if (message.id === undefined) return answer(response, 202, {}, '');
      const item = await create(message.params.arguments.title);
      const result = { content: [{ type: 'text', text: JSON.stringify(item) }], structuredContent: item };
      answer(response, 200, json, JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
    });
  })
  .listen(Number(port), '127.0.0.1', () => console.log('ready'));
