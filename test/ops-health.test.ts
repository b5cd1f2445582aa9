import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { createLogger } from '../src/log.js';
import { startHealthServer } from '../src/ops/healthServer.js';
import { createMetrics } from '../src/ops/metrics.js';

// The /healthz and /metrics a supervisor and Prometheus read, served by a real HTTP server on a free port.
let readiness = { ok: false, detail: 'logging in to Discord' };
const metrics = createMetrics({ role: 'gateway', shards: '0-1' });
const server = await startHealthServer({ port: 0, ready: () => readiness, metrics, logger: createLogger('silent') });
after(() => server.close());

const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);

/** Raw bytes on a fresh connection, and whatever comes back until the server closes it. */
function sendRaw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1', () => socket.end(bytes));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

test('/healthz answers 503 with the reason until the process is ready, then 200', async () => {
  const waiting = await get('/healthz');
  assert.equal(waiting.status, 503);
  assert.deepEqual(await waiting.json(), { status: 'not_ready', detail: 'logging in to Discord' });
  readiness = { ok: true, detail: 'shards 0-1 connected' };
  const ready = await get('/healthz');
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready', detail: 'shards 0-1 connected' });
});

test('/metrics shows every Newsdesk metric in Prometheus text, labelled with the role and shards', async () => {
  metrics.digestPosted();
  metrics.digestPosted();
  metrics.digestFailed('channel_refused');
  metrics.rateLimited('global');
  metrics.claimLag(1.5);
  metrics.setShardLatency(1, 0.042);
  metrics.setShardLatency(0, -1);
  metrics.setLibrarySize(1234);
  const response = await get('/metrics');
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const sample = (line: RegExp) => assert.match(text, line, `in:\n${text.slice(0, 3000)}`);
  sample(/^newsdesk_digests_posted_total\{role="gateway",shards="0-1"\} 2$/m);
  sample(/^newsdesk_digests_failed_total\{reason="channel_refused",role="gateway",shards="0-1"\} 1$/m);
  sample(/^newsdesk_digests_failed_total\{reason="plan_failed",role="gateway",shards="0-1"\} 0$/m);
  sample(/^newsdesk_discord_429_total\{scope="global",role="gateway",shards="0-1"\} 1$/m);
  sample(/^newsdesk_discord_429_total\{scope="route",role="gateway",shards="0-1"\} 0$/m);
  sample(/^newsdesk_claim_lag_seconds_bucket\{le="2",role="gateway",shards="0-1"\} 1$/m);
  sample(/^newsdesk_claim_lag_seconds_count\{role="gateway",shards="0-1"\} 1$/m);
  sample(/^newsdesk_shard_latency_seconds\{shard="1",role="gateway",shards="0-1"\} 0\.042$/m);
  assert.doesNotMatch(text, /shard="0"/, 'a shard not yet measured (discord.js reports -1) has no latency');
  sample(/^newsdesk_library_articles\{role="gateway",shards="0-1"\} 1234$/m);
  sample(/^process_cpu_user_seconds_total\{role="gateway",shards="0-1"\} /m);
  sample(/^nodejs_eventloop_lag_seconds\{role="gateway",shards="0-1"\} /m);
});

test('two processes\' metrics stay apart (one registry each)', async () => {
  const other = createMetrics({ role: 'scheduler', shards: 'none' });
  other.digestPosted();
  const { body } = await other.exposition();
  assert.match(body, /^newsdesk_digests_posted_total\{role="scheduler",shards="none"\} 1$/m);
  assert.doesNotMatch(body, /role="gateway"/);
});

test('any other path is a 404 and any other method a 405, both in JSON', async () => {
  const missing = await get('/status');
  assert.equal(missing.status, 404);
  assert.match(((await missing.json()) as { error: string }).error, /answers \/healthz and \/metrics/);
  const post = await get('/healthz', { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  await post.body?.cancel();
});

test('malformed requests get a 400 and the server keeps answering', async () => {
  assert.match(await sendRaw('NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request/);
  assert.match(await sendRaw('GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request/);
  assert.match(await sendRaw('GET /%%% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 404 Not Found/);
  assert.match(await sendRaw('GET http://[bad HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request/);
  const still = await get('/healthz');
  assert.equal(still.status, 200);
  await still.body?.cancel();
});

test('a readiness check that throws is a 500 for that request, not the end of the process', async () => {
  const broken = await startHealthServer({ port: 0, ready: () => { throw new Error('store closed'); }, metrics, logger: createLogger('silent') });
  try {
    const answer = await fetch(`${broken.url}/healthz`);
    assert.equal(answer.status, 500);
    await answer.body?.cancel();
    const scrape = await fetch(`${broken.url}/metrics`);
    assert.equal(scrape.status, 200);
    await scrape.body?.cancel();
  } finally {
    await broken.close();
  }
});
