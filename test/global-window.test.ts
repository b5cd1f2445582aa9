import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { REST, Routes } from 'discord.js';
import { createLogger } from '../src/log.js';
import { startRestProxy } from '../src/ops/restProxy.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { startBotHarness } from './helpers/bot.js';

// Discord counts its global limit (50 requests a second per bot) in a window that opens when it receives the
// window's first request. When those requests are slow on their way (a busy machine, a slow network), a client
// that counts the window from its own send starts the next window's requests while Discord's window is still
// open: each of them is refused with a global 429 and must wait and be sent again.

const silent = createLogger('silent');
// Longer than discord.js's 50 ms margin and the proxy's former 150 ms: one slow trip of a busy 2-core machine.
const LATE_MS = 300;
const WINDOW = 50;

/** `count` new channels, each sent one message at once through `clients` in turn; whether each got exactly its one. */
async function postToEach(sandbox: DiscordSandbox, clients: REST[], count: number): Promise<void> {
  const channels = Array.from({ length: count }, (_, i) => sandbox.createChannel(`window-${i}`));
  await Promise.all(channels.map((channel, k) => clients[k % clients.length]!.post(Routes.channelMessages(channel), { body: { content: `post ${k}` } })));
  for (const [k, channel] of channels.entries()) {
    assert.deepEqual(sandbox.messages(channel).map((m) => (m.body as { content: string }).content), [`post ${k}`], 'every post once');
  }
}

test('through the REST proxy, a window whose requests arrive late is waited out: no global 429', async () => {
  const sandbox = await DiscordSandbox.start({ logger: silent });
  const proxy = await startRestProxy({ upstream: sandbox.apiUrl, token: sandbox.token, applicationId: sandbox.applicationId, port: 0, host: '127.0.0.1', logger: silent });
  try {
    // Two bot processes, together offering the proxy twice the limit.
    const clients = [new REST({ api: proxy.apiUrl }).setToken(sandbox.token), new REST({ api: proxy.apiUrl }).setToken(sandbox.token)];
    sandbox.faults.arriveLate(WINDOW, LATE_MS);
    await postToEach(sandbox, clients, 3 * WINDOW);
    assert.equal(sandbox.rateLimited.global, 0, 'no request was refused by the global limit');
  } finally {
    await proxy.close();
    await sandbox.close();
  }
});

test('the bot\'s own REST waits out a window whose requests arrive late: no global 429', async () => {
  const harness = await startBotHarness();
  try {
    const { sandbox } = harness;
    // The bot's start-up requests have had their window: the posts start one of their own.
    await sleep(1100);
    sandbox.faults.arriveLate(WINDOW, LATE_MS);
    await postToEach(sandbox, [harness.bot.client.rest], 2 * WINDOW + 10);
    assert.equal(sandbox.rateLimited.global, 0, 'no request was refused by the global limit');
  } finally {
    await harness.close();
  }
});
