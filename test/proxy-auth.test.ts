import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { REST, Routes } from 'discord.js';
import { commandDefinitions } from '../src/bot/commands/index.js';
import { deployCommands } from '../src/bot/deploy.js';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { startBotProcess } from './helpers/botProcess.js';
import { killProjectProcesses, startProjectProcess } from './helpers/projectProcess.js';
import { startProxyProcess, type ProxyProcess } from './helpers/proxyProcess.js';
import { projectRoot } from './helpers/shared.js';

// `npm run proxy` relays only Newsdesk's own requests: every request it relays spends a place in the one queue and
// global window the digests wait in, so anyone else who can reach it must be refused before the queue, or a flood of
// requests (with any token, or none) would hold the digests back, and the proxy would be an open relay to Discord.

after(() => killProjectProcesses());

const REFUSED = { message: '401: Unauthorized', code: 0 };

/**
 * The ways a stranger asks: another bot's token as long as ours (only its bytes tell it apart), ours with a byte more
 * or less, ours as an OAuth2 token, an empty header, none; and an interaction reply with another bot's token.
 */
function strangers(sandbox: DiscordSandbox): Record<string, string>[] {
  const { token } = sandbox;
  const other = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
  return [{ authorization: `Bot ${other}` }, { authorization: `Bot ${token}x` }, { authorization: `Bot ${token.slice(0, -1)}` },
    { authorization: `Bearer ${token}` }, { authorization: '' }, {}];
}

/** A message posted straight through the proxy with `headers`, as a stranger's HTTP client would: its status and body. */
async function strangerPost(proxy: ProxyProcess, route: string, headers: Record<string, string>, content: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${proxy.apiUrl}/v10${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ content }) });
  return { status: response.status, body: await response.json() };
}

function contents(sandbox: DiscordSandbox, channel: string): string[] {
  return sandbox.messages(channel).map((m) => (m.body as { content: string }).content).sort();
}

test('a request without this bot\'s token is refused 401 as Discord words it, and never reaches Discord', async () => {
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  const proxy = await startProxyProcess(sandbox);
  try {
    const channel = Routes.channelMessages(sandbox.channels.news);
    const answers = await Promise.all([
      ...strangers(sandbox).map((headers, k) => strangerPost(proxy, channel, headers, `stranger ${k}`)),
      // Only this application's webhook is open without Authorization, and an interaction reply only without one.
      strangerPost(proxy, Routes.webhook('123456789012345678', 'their-webhook-token'), {}, 'to another webhook'),
      strangerPost(proxy, Routes.interactionCallback('123456789012345678', 'some-token'), strangers(sandbox)[0]!, 'a reply'),
    ]);
    for (const answer of answers) assert.deepEqual(answer, { status: 401, body: REFUSED });
    assert.deepEqual(sandbox.requests, [], 'Discord saw none of them');

    await new REST({ api: proxy.apiUrl }).setToken(sandbox.token).post(channel, { body: { content: 'the bot\'s own' } });
    assert.deepEqual(contents(sandbox, sandbox.channels.news), ['the bot\'s own'], 'the bot\'s request is relayed as before');
    assert.match(proxy.stderr(), /"event":"proxy\.refused"/);
    assert.ok(!proxy.stderr().includes(sandbox.token.slice(0, -1)), 'no token, nor the bot\'s, reaches the log');
  } finally {
    assert.equal(await proxy.stop(), 0);
    await sandbox.close();
  }
});

// What a member would notice if strangers could spend the bot's window: digests late (each stranger's request a
// place fewer for the bot's in the second), or, with Discord answering their bad tokens, the machine's address banned.
test('200 stranger requests during the bot\'s burst of 100 posts: every post delivered once, every stranger refused, none relayed', async () => {
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  const proxy = await startProxyProcess(sandbox);
  try {
    const refusedToBot: number[] = [];
    const clients = [0, 1].map(() => new REST({ api: proxy.apiUrl }).setToken(sandbox.token));
    for (const client of clients) client.on('response', (_request, response) => void (response.status >= 400 && refusedToBot.push(response.status)));
    // 5 posts into each channel: within a channel's limit, so only the global 50 a second paces them.
    const channels = Array.from({ length: 20 }, (_, i) => sandbox.createChannel(`flooded-${i}`));
    const posts = Array.from({ length: 100 }, (_, k) => `post ${k}`);
    const headers = strangers(sandbox);
    const [, strangerAnswers] = await Promise.all([
      Promise.all(posts.map((content, k) => clients[k % 2]!.post(Routes.channelMessages(channels[k % channels.length]!), { body: { content } }))),
      Promise.all(Array.from({ length: 200 }, (_, k) => strangerPost(proxy, Routes.channelMessages(channels[k % channels.length]!), headers[k % headers.length]!, `stranger ${k}`))),
    ]);

    channels.forEach((channel, i) => assert.deepEqual(contents(sandbox, channel), posts.filter((_, k) => k % channels.length === i).sort(), 'every post once, no stranger\'s'));
    assert.deepEqual(refusedToBot, [], 'none of the bot\'s requests was refused');
    assert.deepEqual(strangerAnswers.filter((answer) => answer.status !== 401), [], 'every stranger refused');
    assert.equal(sandbox.requests.length, posts.length, 'Discord saw the bot\'s posts and nothing else');
  } finally {
    await proxy.stop();
    await sandbox.close();
  }
});

// Discord authorises interaction replies by the token in their path: discord.js sends the callback and the webhook
// edits and follow-ups without Authorization, and they must still pass.
test('a member\'s commands are answered through the proxy: interaction callbacks and reply edits need no Authorization', async () => {
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  const work = await mkdtemp(path.join(os.tmpdir(), 'newsdesk-proxy-auth-'));
  const proxy = await startProxyProcess(sandbox);
  try {
    await deployCommands(new REST({ api: proxy.apiUrl }).setToken(sandbox.token), sandbox.applicationId, commandDefinitions());
    const bot = startBotProcess(sandbox, work, { DISCORD_API_URL: proxy.apiUrl, CONTENT_DIR: path.join(projectRoot, 'content') });
    await bot.started;
    const search = await sandbox.driver.command('news', { subcommand: 'search', options: { query: 'sample' } });
    assert.ok(JSON.stringify(search).includes('embeds'), `the search is answered: ${JSON.stringify(search).slice(0, 500)}`);
    // Deferred: a callback first, then the answer as an edit on the application's webhook.
    const preview = await sandbox.driver.command('digest', { subcommand: 'preview' });
    assert.ok(JSON.stringify(preview).length > 2, 'the preview is answered');

    const replies = sandbox.requests.filter((r) => /^\/(interactions|webhooks)\//.test(r.path));
    assert.ok(replies.some((r) => r.path.endsWith('/callback')), 'interaction callbacks went through');
    assert.ok(replies.some((r) => r.method === 'PATCH' && r.path.startsWith(`/webhooks/${sandbox.applicationId}/`)), 'the deferred reply was edited');
    assert.deepEqual(replies.filter((r) => r.status >= 400), [], 'and none was refused');
    assert.doesNotMatch(proxy.stderr(), /"event":"proxy\.refused"/);
    bot.child.kill('SIGTERM');
    assert.equal(await bot.exited, 0);
  } finally {
    await proxy.stop();
    await sandbox.close();
    await rm(work, { recursive: true, force: true });
  }
});

test('npm run proxy without the bot\'s token or application id does not start, naming both settings and the fix', async () => {
  const proxy = startProjectProcess('src/cli/proxy.ts', { PROXY_PORT: '0' });
  assert.equal(await proxy.exited, 2);
  assert.match(proxy.stderr(), /DISCORD_TOKEN is required by the REST proxy: it relays only requests that carry this bot's token/);
  assert.match(proxy.stderr(), /DISCORD_CLIENT_ID is required by the REST proxy: .*copy the Application ID/);
});
