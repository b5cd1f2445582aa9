import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import {
  ApplicationCommandOptionType, Events, HTTPError, RESTEvents, Routes, type ChatInputApplicationCommandData, type Interaction, type RateLimitData,
  type TextChannel,
} from 'discord.js';
import { openApiSkip } from './helpers/openapi.js';
import { recordedBodyProblems } from './helpers/sandboxOpenApi.js';
import { startSandboxSession, type SandboxSession } from './helpers/sandbox.js';

// Faults the bot must survive: 429s (per route and global, injected and real), 500s, and the gateway closing,
// dropping or going silent. "Survive" means every message arrives exactly once and commands keep working.

async function echo(interaction: Interaction): Promise<void> {
  if (interaction.isChatInputCommand()) await interaction.reply({ content: `pong ${interaction.options.getString('word') ?? ''}`.trim() });
}

const PING: ChatInputApplicationCommandData = { name: 'ping', description: 'Ping', options: [{ type: ApplicationCommandOptionType.String, name: 'word', description: 'Word' }] };

let session: SandboxSession;
let rateLimits: RateLimitData[];

before(async () => {
  session = await startSandboxSession(echo);
  await session.client.application.commands.set([PING]);
  rateLimits = [];
  session.client.rest.on(RESTEvents.RateLimited, (data) => rateLimits.push(data));
});

after(() => session.close());

const news = () => session.client.channels.cache.get(session.sandbox.channels.news) as TextChannel;
const contents = () => session.sandbox.messages(session.sandbox.channels.news).map((m) => m.body.content);
const statusesFor = (path: string) => session.sandbox.requests.filter((r) => r.path === path).map((r) => r.status);

test('429s on the messages route are waited out and the message is posted once', async () => {
  const path = `/channels/${session.sandbox.channels.news}/messages`;
  const before = statusesFor(path).length;
  session.sandbox.faults.failNext(2, 429, { route: '/messages' });
  await news().send('after two 429s');
  assert.deepEqual(statusesFor(path).slice(before), [429, 429, 200]);
  assert.equal(contents().filter((c) => c === 'after two 429s').length, 1);
});

test('a global 429 makes the client hold every request, then the message goes through once', async () => {
  rateLimits.length = 0;
  session.sandbox.faults.failNext(1, 429, { global: true });
  await news().send('after a global 429');
  assert.ok(rateLimits.some((r) => r.global), 'the client waited on the global limit');
  assert.equal(contents().filter((c) => c === 'after a global 429').length, 1);
});

test('the per-channel bucket (5 per 5 s) queues a burst in the client without losing or reordering messages', async () => {
  rateLimits.length = 0;
  const channel = session.client.channels.cache.get(session.sandbox.channels.general) as TextChannel;
  const burst = Array.from({ length: 7 }, (_, i) => `burst ${i}`);
  await Promise.all(burst.map((text) => channel.send(text)));
  assert.deepEqual(session.sandbox.messages(session.sandbox.channels.general).map((m) => m.body.content), burst);
  assert.ok(rateLimits.some((r) => !r.global), 'the client read the bucket headers and waited for the reset');
});

test('500s are retried by the client and the message is posted once; too many fail the send visibly', async () => {
  session.sandbox.faults.failNext(2, 500, { route: '/messages' });
  await news().send('after two 500s');
  assert.equal(contents().filter((c) => c === 'after two 500s').length, 1);
  // discord.js retries 3 times: a fourth 500 reaches the caller, and nothing was posted.
  session.sandbox.faults.failNext(4, 500, { route: '/messages' });
  await assert.rejects(news().send('never posted'), HTTPError);
  assert.equal(contents().includes('never posted'), false);
});

test('after a gateway close with 4000 the client resumes, and a command sent meanwhile is replayed, not lost', async () => {
  const resumed = once(session.client, Events.ShardResume);
  session.sandbox.faults.closeGateway(4000);
  const reply = await session.sandbox.driver.command('ping', { options: { word: 'during-close' } });
  await resumed;
  assert.equal((reply.body as { content: string }).content, 'pong during-close');
});

test('after an abrupt drop the client resumes and keeps answering', async () => {
  const resumed = once(session.client, Events.ShardResume);
  session.sandbox.faults.dropGateway();
  await resumed;
  const reply = await session.sandbox.driver.command('ping', { options: { word: 'after-drop' } });
  assert.equal((reply.body as { content: string }).content, 'pong after-drop');
});

test('when heartbeats go unacknowledged the client treats the connection as a zombie and resumes', async () => {
  const fast = await startSandboxSession(echo, { heartbeatIntervalMs: 200 });
  try {
    await fast.client.application.commands.set([PING]);
    const resumed = once(fast.client, Events.ShardResume);
    fast.sandbox.faults.stopHeartbeatAcks();
    await resumed;
    const reply = await fast.sandbox.driver.command('ping');
    assert.equal((reply.body as { content: string }).content, 'pong');
  } finally {
    await fast.close();
  }
});

test('the real global limit (lowered here to 10 per second) is honoured: every request finally succeeds', async () => {
  const tight = await startSandboxSession(echo, { rateLimits: { global: { limit: 10, windowMs: 1000 }, channelMessages: { limit: 5, windowMs: 5000 } } });
  try {
    // The client spaces requests itself at 50 per second, so a lower server limit makes the server refuse some.
    const channels = await Promise.all(Array.from({ length: 15 }, () => tight.client.rest.get(Routes.channel(tight.sandbox.channels.news))));
    assert.equal(channels.length, 15);
    const refused = tight.sandbox.requests.filter((r) => r.status === 429);
    assert.ok(refused.length > 0, 'the server refused some requests with 429');
    assert.equal(tight.sandbox.requests.filter((r) => r.path.startsWith('/channels/') && r.status === 200).length, 15);
  } finally {
    await tight.close();
  }
});

test('no fault led the client to a route the sandbox does not know', () => {
  assert.equal(session.sandbox.unknownRoutes, 0);
});

test('every body the client sent matches Discord\'s OpenAPI description', { skip: openApiSkip }, () => {
  assert.deepEqual(recordedBodyProblems(session.sandbox.requests), []);
});
