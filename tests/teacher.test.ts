import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { ChatMessage, TeacherConfigInput } from '../schemas/teacher.ts';
import { TeacherClient, TeacherError, type TeacherDeps } from '../teacher/TeacherClient.ts';
import { DDX_TAG, RULE_TAG, ddxComparisonPrompt, parseTagged, rephraseRulePrompt } from '../teacher/teacherPrompts.ts';
import { tempDir } from './helpers/tempDir.ts';

const KEY = 'sk-test-9f8e7d6c5b4a';
const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'You are a dermatologist.' },
  { role: 'user', content: 'Rewrite: <rule>raised, waxy, stuck-on papule</rule>' },
];

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  at: number;
}
/** What the fake server does with the nth request (1-based): answer, or never answer (to provoke a timeout). */
type Reply = { status?: number; headers?: Record<string, string>; body: string } | 'hang';

const servers: Array<{ close(): void }> = [];
after(() => servers.forEach((s) => s.close()));

/** A real HTTP server on 127.0.0.1 that speaks just enough of the chat completions API. */
async function chatServer(reply: (n: number) => Reply): Promise<{ url: string; received: Received[]; close(): void }> {
  const received: Received[] = [];
  const server = createServer((req, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(raw), at: Date.now() });
      const r = reply(received.length);
      if (r === 'hang') return;
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
      res.end(r.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () => {
    server.closeAllConnections();
    server.close();
  };
  servers.push({ close });
  return { url: `http://127.0.0.1:${port}/v1`, received, close };
}

function answer(content: string): Reply {
  return { body: JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content } }] }) };
}

/** A client on a fake clock: sleeps are recorded and advance the clock instantly, so retries and pacing cost no time. */
function teacher(url: string, config: Partial<TeacherConfigInput> = {}, deps: TeacherDeps = {}) {
  const waits: number[] = [];
  let t = 0;
  const client = new TeacherClient(
    { url, model: 'gpt-4.1-mini', ...config },
    {
      env: { SKINR1_TEACHER_API_KEY: KEY },
      now: () => t,
      sleep: async (ms) => {
        waits.push(ms);
        t += ms;
      },
      ...deps,
    },
  );
  return { client, waits };
}

async function rejectsTeacher(p: Promise<unknown>): Promise<TeacherError> {
  const err = await p.then(
    () => assert.fail('expected a TeacherError'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TeacherError, `expected a TeacherError, got ${String(err)}`);
  assert.equal(err.name, 'TeacherError');
  return err;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('TeacherClient', () => {
  it('posts an OpenAI-style request with the bearer key from the environment and returns the content', async () => {
    const srv = await chatServer(() => answer('  <rule>A raised, waxy, stuck-on papule.</rule>'));
    const { client } = teacher(srv.url, { temperature: 0.3, maxTokens: 64 });
    const out = await client.complete(MESSAGES);
    assert.deepEqual(out, { text: '  <rule>A raised, waxy, stuck-on papule.</rule>', cached: false, attempts: 1 });
    assert.equal(srv.received.length, 1);
    const req = srv.received[0]!;
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.match(req.headers['content-type'] ?? '', /application\/json/);
    assert.deepEqual(req.body, { model: 'gpt-4.1-mini', messages: MESSAGES, temperature: 0.3, max_tokens: 64 });
    assert.deepEqual(client.stats(), { requests: 1, cacheHits: 0, retries: 0, failures: 0 });
  });

  it('sends no Authorization header when the key variable is unset, and applies the config defaults', async () => {
    const srv = await chatServer(() => answer('ok'));
    const { client } = teacher(srv.url + '/', {}, { env: {} });
    await client.complete(MESSAGES);
    const req = srv.received[0]!;
    assert.equal(req.path, '/v1/chat/completions', 'a trailing slash on the base URL is tolerated');
    assert.equal(req.headers.authorization, undefined);
    assert.deepEqual(req.body, { model: 'gpt-4.1-mini', messages: MESSAGES, temperature: 0.2, max_tokens: 120 });
    assert.equal(client.config.apiKeyEnv, 'SKINR1_TEACHER_API_KEY');
    assert.equal(client.config.maxRetries, 4);
  });

  it('rejects an invalid config', () => {
    assert.throws(() => new TeacherClient({ url: 'not a url', model: 'm' }));
    assert.throws(() => new TeacherClient({ url: 'http://x/v1', model: '' }));
  });

  it('caches answers in memory and atomically on disk, with the key redacted', async () => {
    const cacheDir = tempDir('teacher-cache');
    const srv = await chatServer(() => answer(`<rule>Echo of ${KEY}: waxy papule.</rule>`));
    const { client } = teacher(srv.url, { cacheDir });
    const first = await client.complete(MESSAGES);
    assert.equal(first.text, '<rule>Echo of ***: waxy papule.</rule>', 'an echoed key is redacted from the answer');
    const second = await client.complete(structuredClone(MESSAGES));
    assert.deepEqual(second, { text: first.text, cached: true, attempts: 0 });
    assert.equal(srv.received.length, 1, 'the second identical call made no request');

    const files = filesUnder(cacheDir);
    assert.equal(files.length, 1, `one cache file and no temp files left: ${files.join(', ')}`);
    const [shard, name] = files[0]!.split(path.sep);
    assert.match(name!, /^[0-9a-f]{64}\.json$/);
    assert.equal(shard, name!.slice(0, 2));
    const raw = readFileSync(path.join(cacheDir, files[0]!), 'utf8');
    assert.ok(!raw.includes(KEY), 'the cache file never holds the key');
    assert.equal(JSON.parse(raw).text, first.text);

    // A fresh client (a new process, say) answers from disk.
    const { client: again } = teacher(srv.url, { cacheDir });
    assert.deepEqual(await again.complete(MESSAGES), { text: first.text, cached: true, attempts: 0 });
    assert.equal(srv.received.length, 1);
    assert.deepEqual(again.stats(), { requests: 0, cacheHits: 1, retries: 0, failures: 0 });

    // Anything in the key (here the temperature) changing is a miss.
    const { client: warmer } = teacher(srv.url, { cacheDir, temperature: 0.9 });
    assert.equal((await warmer.complete(MESSAGES)).cached, false);
    assert.equal(srv.received.length, 2);
  });

  it('retries a 500 with backoff and then succeeds', async () => {
    const srv = await chatServer((n) => (n === 1 ? { status: 500, body: '{"error":{"message":"upstream exploded"}}' } : answer('fine')));
    const { client, waits } = teacher(srv.url);
    const out = await client.complete(MESSAGES);
    assert.deepEqual(out, { text: 'fine', cached: false, attempts: 2 });
    assert.equal(waits.length, 1);
    assert.ok(waits[0]! >= 1000 && waits[0]! <= 2000, `first backoff is 1 s plus jitter, got ${waits[0]}`);
    assert.deepEqual(client.stats(), { requests: 2, cacheHits: 0, retries: 1, failures: 0 });
  });

  it('honours Retry-After on a 429', async () => {
    const srv = await chatServer((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '3' }, body: '{"error":{"message":"slow down"}}' } : answer('ok')));
    const { client, waits } = teacher(srv.url);
    assert.equal((await client.complete(MESSAGES)).attempts, 2);
    assert.deepEqual(waits, [3000]);
  });

  it('does not retry a 400 and keeps the key out of the error even when the server echoes it', async () => {
    const srv = await chatServer(() => ({ status: 400, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } }) }));
    const { client, waits } = teacher(srv.url);
    const err = await rejectsTeacher(client.complete(MESSAGES));
    assert.equal(err.status, 400);
    assert.match(err.message, /HTTP 400/);
    assert.match(err.message, /Incorrect API key provided: \*\*\*/);
    assert.ok(!err.message.includes(KEY));
    assert.ok(!String(err.stack).includes(KEY));
    assert.equal(srv.received.length, 1);
    assert.deepEqual(waits, []);
    assert.deepEqual(client.stats(), { requests: 1, cacheHits: 0, retries: 0, failures: 1 });
  });

  it('retries timeouts and fails after maxRetries', async () => {
    const srv = await chatServer(() => 'hang');
    const { client, waits } = teacher(srv.url, { timeoutMs: 100, maxRetries: 2 });
    const err = await rejectsTeacher(client.complete(MESSAGES));
    assert.match(err.message, /timed out after 100 ms/);
    assert.match(err.message, /after 3 attempts/);
    assert.equal(srv.received.length, 3);
    assert.equal(waits.length, 2);
    assert.deepEqual(client.stats(), { requests: 3, cacheHits: 0, retries: 2, failures: 1 });
  });

  it('retries network errors', async () => {
    const srv = await chatServer(() => answer('unused'));
    srv.close();
    const { client } = teacher(srv.url, { maxRetries: 1 });
    const err = await rejectsTeacher(client.complete(MESSAGES));
    assert.match(err.message, /network error/);
    assert.equal(client.stats().requests, 2);
  });

  it('retries a malformed response a couple of times, then fails', async () => {
    const srv = await chatServer(() => ({ body: '<html>gateway</html>' }));
    const { client } = teacher(srv.url, { maxRetries: 10 });
    const err = await rejectsTeacher(client.complete(MESSAGES));
    assert.match(err.message, /not JSON/);
    assert.equal(srv.received.length, 3, 'a malformed response gets two retries, not the whole budget');

    const shape = await chatServer((n) => (n === 1 ? { body: '{"choices":[]}' } : answer('recovered')));
    const { client: second } = teacher(shape.url);
    assert.deepEqual(await second.complete(MESSAGES), { text: 'recovered', cached: false, attempts: 2 });
  });

  it('spaces concurrent requests requestsPerMinute apart', async () => {
    const srv = await chatServer(() => answer('ok'));
    // The clock stands still, so each wait is exactly the distance to the caller's reserved slot.
    const { client, waits } = teacher(srv.url, { requestsPerMinute: 60 }, { now: () => 0 });
    const asks = [1, 2, 3].map((i) => client.complete([{ role: 'user', content: `question ${i}` }]));
    await Promise.all(asks);
    assert.deepEqual(waits, [1000, 2000]);
    assert.equal(srv.received.length, 3);
  });

  it('spaces requests on the real clock too', async () => {
    const srv = await chatServer(() => answer('ok'));
    // 200 ms slots; the bound leaves room for connection setup jitter on a loaded machine.
    const client = new TeacherClient({ url: srv.url, model: 'm', requestsPerMinute: 300 }, { env: {} });
    await Promise.all([1, 2, 3].map((i) => client.complete([{ role: 'user', content: `q${i}` }])));
    const at = srv.received.map((r) => r.at).sort((a, b) => a - b);
    for (let i = 1; i < at.length; i++) assert.ok(at[i]! - at[i - 1]! >= 150, `requests ${at[i]! - at[i - 1]!} ms apart, want about 200`);
  });
});

describe('teacher prompts', () => {
  it('asks for a tagged one-sentence rule that keeps the rule and adds nothing', () => {
    const msgs = rephraseRulePrompt('Seborrheic keratosis', 'stuck-on waxy papule with milia-like cysts');
    assert.deepEqual(msgs.map((m) => m.role), ['system', 'user']);
    const user = msgs[1]!.content;
    assert.match(user, /Seborrheic keratosis/);
    assert.match(user, /stuck-on waxy papule with milia-like cysts/);
    assert.match(user, /<rule>\.\.\.<\/rule>/);
    assert.match(user, /histology/i);
    assert.equal(RULE_TAG, 'rule');
  });

  it('asks for a tagged differential with a worked example and the present/absent features', () => {
    const msgs = ddxComparisonPrompt('Melanoma', 'asymmetric multicoloured macule', 'Nevus', 'symmetric uniform macule', ['asymmetry', 'blue-white veil'], ['uniform colour']);
    assert.deepEqual(msgs.map((m) => m.role), ['system', 'user', 'assistant', 'user']);
    assert.ok(parseTagged(msgs[2]!.content, DDX_TAG), 'the example answer is itself tagged');
    const ask = msgs[3]!.content;
    for (const s of ['Melanoma', 'Nevus', 'asymmetric multicoloured macule', 'symmetric uniform macule', 'asymmetry, blue-white veil', 'uniform colour']) {
      assert.ok(ask.includes(s), `prompt names ${s}`);
    }
    assert.match(ask, /<differential diagnosis reasoning>\.\.\.<\/differential diagnosis reasoning>/);
    const bare = ddxComparisonPrompt('Melanoma', 'r1', 'Nevus', 'r2', [], [])[3]!.content;
    assert.ok(!bare.includes('present in the image') && !bare.includes('absent from the image'));
  });

  it('parses the first tagged answer', () => {
    assert.equal(parseTagged('Sure!\n<rule>\n A waxy papule. \n</rule> <rule>second</rule>', 'rule'), 'A waxy papule.');
    assert.equal(parseTagged('<Differential Diagnosis Reasoning>x</differential diagnosis reasoning>', DDX_TAG), 'x');
    assert.equal(parseTagged('no tags here', 'rule'), null);
    assert.equal(parseTagged('<rule>truncated by max_tokens', 'rule'), null);
    assert.equal(parseTagged('<rule>  </rule>', 'rule'), null);
  });
});
