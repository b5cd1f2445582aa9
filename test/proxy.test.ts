import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { DiscordAPIError, REST, Routes } from 'discord.js';
import { createLogger } from '../src/log.js';
import { createMetrics } from '../src/ops/metrics.js';
import { countRateLimits } from '../src/ops/rateLimitCounter.js';
import { startRestProxy } from '../src/ops/restProxy.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { startProjectProcess } from './helpers/projectProcess.js';
import { killProxyProcesses, startProxyProcess } from './helpers/proxyProcess.js';

// `npm run proxy`: several Newsdesk processes reach Discord (here the sandbox) through one REST queue, so together they
// keep to the token's one global limit of 50 requests a second.

after(() => killProxyProcesses());

/** A sandbox with Discord's limits, whose log lines are kept to count the 429s it answered, by scope. */
async function startSandbox(): Promise<{ sandbox: DiscordSandbox; refusals: (scope: 'global' | 'route') => number }> {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => done(void lines.push(...chunk.toString().split('\n'))) });
  const sandbox = await DiscordSandbox.start({ logger: createLogger('info', sink) });
  const refusals = (scope: 'global' | 'route') => lines.filter((line) => line.includes('"event":"sandbox_rate_limited"') && line.includes(`"global":${scope === 'global'}`)).length;
  return { sandbox, refusals };
}

/** Two bot processes' REST clients (as discord.js's Client makes them) sending to `api`, with the 429s each saw. */
function twoClients(api: string, token: string): { clients: REST[]; seen429: () => number } {
  let seen = 0;
  const clients = [new REST({ api }).setToken(token), new REST({ api }).setToken(token)];
  for (const client of clients) client.on('response', (_request, response) => void (response.status === 429 && seen++));
  return { clients, seen429: () => seen };
}

/** `perChannel` messages into each of `channelCount` new channels, all at once, alternately from the two clients. */
async function burst(sandbox: DiscordSandbox, clients: REST[], channelCount: number, perChannel: number): Promise<{ channels: string[]; sent: string[] }> {
  const channels = Array.from({ length: channelCount }, (_, i) => sandbox.createChannel(`burst-${i}`));
  const sent = Array.from({ length: channelCount * perChannel }, (_, k) => `burst message ${k}`);
  await Promise.all(sent.map((content, k) => clients[k % 2]!.post(Routes.channelMessages(channels[k % channelCount]!), { body: { content } })));
  return { channels, sent };
}

function assertEachOnce(sandbox: DiscordSandbox, channels: string[], sent: string[]): void {
  channels.forEach((channel, i) => assert.deepEqual(sandbox.messages(channel).map((m) => (m.body as { content: string }).content).sort(),
    sent.filter((_, k) => k % channels.length === i).sort(), 'every message once, in its own channel: none twice, none lost'));
}

// A channel allows 5 messages per 5 seconds. Each process alone keeps to that, from the limits Discord's answers
// state (so no clock and no latency decides it); two processes posting 5 each into the same channels overflow it,
// unless they share the proxy's one queue.
test('two processes posting into the same channels through the proxy share one rate-limit state: nothing is refused', async () => {
  const { sandbox, refusals } = await startSandbox();
  const proxy = await startProxyProcess(sandbox);
  try {
    const { clients, seen429 } = twoClients(proxy.apiUrl, sandbox.token);
    const { channels, sent } = await burst(sandbox, clients, 5, 10);
    assertEachOnce(sandbox, channels, sent);
    assert.deepEqual(sandbox.requests.filter((r) => r.status === 429), [], 'no 429 of any kind');
    assert.equal(refusals('route'), 0);
    assert.equal(seen429(), 0);
    assert.ok(!proxy.stderr().includes(sandbox.token), 'the token is never logged');
  } finally {
    assert.equal(await proxy.stop(), 0, 'SIGTERM stops it cleanly');
    await sandbox.close();
  }
});

test('the same two processes posting straight to Discord are refused: each spends the channel\'s limit alone', async () => {
  const { sandbox, refusals } = await startSandbox();
  try {
    const { clients } = twoClients(sandbox.apiUrl, sandbox.token);
    const { channels, sent } = await burst(sandbox, clients, 5, 10);
    assertEachOnce(sandbox, channels, sent);
    // Per channel 10 requests come within the 5 seconds in which 5 are allowed: the first one refused tells its
    // client the bucket is spent, and it waits; so at least one 429 per channel.
    assert.ok(refusals('route') >= channels.length, `${refusals('route')} route 429s`);
  } finally {
    await sandbox.close();
  }
});

// The global 50 a second cannot be asserted so: @discordjs/rest counts its second from when it sends, Discord from
// when a request arrives, so on a busy machine the proxy's next second can begin inside Discord's current one. What
// holds whatever the timing: the proxy answers every 429 itself, so the bots never see one, and nothing is lost.
test('120 messages at once from two processes through the proxy: each arrives exactly once and no bot sees a 429', async () => {
  const { sandbox } = await startSandbox();
  const proxy = await startProxyProcess(sandbox);
  try {
    const { clients, seen429 } = twoClients(proxy.apiUrl, sandbox.token);
    const { channels, sent } = await burst(sandbox, clients, 24, 5);
    assertEachOnce(sandbox, channels, sent);
    assert.equal(seen429(), 0);
  } finally {
    await proxy.stop();
    await sandbox.close();
  }
});

/** The proxy in this process, its 429s counted as `npm run proxy` counts them. */
async function inProcessProxy(sandbox: DiscordSandbox) {
  const metrics = createMetrics({ role: 'proxy', shards: 'none' });
  const proxy = await startRestProxy({
    upstream: sandbox.apiUrl, token: sandbox.token, applicationId: sandbox.applicationId, port: 0, host: '127.0.0.1', logger: createLogger('silent'),
    observe: (rest) => countRateLimits(rest, metrics),
  });
  // No retries of its own: whatever the bot sees is what the proxy answered.
  const client = new REST({ api: proxy.apiUrl, retries: 0 }).setToken(sandbox.token);
  return { metrics, proxy, client };
}

test('a message Discord answers with a 500 or a 429 is sent again whole by the proxy, and the 429 is counted', async () => {
  const { sandbox } = await startSandbox();
  const { metrics, proxy, client } = await inProcessProxy(sandbox);
  try {
    sandbox.faults.failNext(1, 500);
    await client.post(Routes.channelMessages(sandbox.channels.news), { body: { content: 'after a 500' } });
    sandbox.faults.failNext(1, 429, { global: true });
    await client.post(Routes.channelMessages(sandbox.channels.news), { body: { content: 'after a 429' } });
    assert.deepEqual(sandbox.messages(sandbox.channels.news).map((m) => (m.body as { content: string }).content), ['after a 500', 'after a 429']);
    assert.deepEqual(sandbox.requests.map((r) => r.status), [500, 200, 429, 200], 'each refused once, then sent with its body');
    const { body } = await metrics.exposition();
    assert.match(body, /^newsdesk_discord_429_total\{scope="global",role="proxy",shards="none"\} 1$/m);
  } finally {
    await proxy.close();
    await sandbox.close();
  }
});

test('Discord\'s refusals reach the bot as they are, and the proxy keeps serving after them', async () => {
  const { sandbox } = await startSandbox();
  const { proxy, client } = await inProcessProxy(sandbox);
  try {
    const refusal = await client.post(Routes.channelMessages(sandbox.channels.locked), { body: { content: 'no access' } }).then(() => undefined, (error: unknown) => error);
    assert.ok(refusal instanceof DiscordAPIError, String(refusal));
    assert.equal(refusal.status, 403);
    assert.equal(refusal.code, 50013, 'Missing Permissions, as Discord said it');
    const empty = await client.post(Routes.channelMessages(sandbox.channels.news), { body: { content: '' } }).then(() => undefined, (error: unknown) => error);
    assert.ok(empty instanceof DiscordAPIError && empty.status === 400, String(empty));
    await client.post(Routes.channelMessages(sandbox.channels.news), { body: { content: 'still here' } });
    assert.deepEqual(sandbox.messages(sandbox.channels.news).map((m) => (m.body as { content: string }).content), ['still here']);
  } finally {
    await proxy.close();
    await sandbox.close();
  }
});

test('with Discord unreachable the bot gets a 502 and the proxy logs why, without the token', async () => {
  const { sandbox } = await startSandbox();
  const proxy = await startProxyProcess(sandbox);
  try {
    const client = new REST({ api: proxy.apiUrl, retries: 0 }).setToken(sandbox.token);
    const channel = sandbox.channels.news;
    await sandbox.close();
    const failure = await client.post(Routes.channelMessages(channel), { body: { content: 'lost?' } }).then(() => undefined, (error: unknown) => error);
    assert.equal((failure as { status?: number }).status, 502, String(failure));
    // Its log line travels through another pipe than the answer: wait for it, within a bound.
    for (let waited = 0; !proxy.stderr().includes('proxy.upstream_failed') && waited < 10_000; waited += 50) await sleep(50);
    assert.match(proxy.stderr(), /"event":"proxy\.upstream_failed".*ECONNREFUSED/);
    assert.ok(!proxy.stderr().includes(sandbox.token));
  } finally {
    await proxy.stop();
  }
});

test('npm run proxy refuses a DISCORD_API_URL that points at itself, naming the setting and the fix', async () => {
  const proxy = startProjectProcess('src/cli/proxy.ts', { DISCORD_TOKEN: 'token.of.bot', DISCORD_CLIENT_ID: '123456789012345678', DISCORD_API_URL: 'http://127.0.0.1:8080/api', PROXY_PORT: '8080' });
  const code = await proxy.exited;
  const stderr = proxy.stderr();
  assert.equal(code, 2);
  assert.match(stderr, /DISCORD_API_URL points at this proxy itself \(port 8080\)/);
});
