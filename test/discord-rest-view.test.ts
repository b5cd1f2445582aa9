// A scheduler process has no gateway connection: what delivery needs to know of a channel (a forum or not, its server)
// comes from REST, whose every request counts against the token's 50 per second, as the digests' posts do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChannelType, REST } from 'discord.js';
import { restView } from '../src/bot/discordView.js';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';

const CHANNELS = 40;

test('a REST-only process learns the channels of a server with many digests in a few requests, not one per channel', async (t) => {
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  t.after(() => sandbox.close());
  const text = Array.from({ length: CHANNELS }, (_, i) => sandbox.createChannel(`digest-${i}`));
  const forum = sandbox.createChannel('forum-digest', { type: ChannelType.GuildForum });
  const thread = sandbox.createChannel('a thread', { type: ChannelType.PublicThread, parentId: text[0]! });
  const view = await restView(new REST({ api: sandbox.apiUrl }).setToken(sandbox.token));

  for (const channelId of text) assert.deepEqual(await view.channel(channelId), { type: ChannelType.GuildText, guildId: sandbox.guild.id, defaultAutoArchiveDuration: null });
  const forumFacts = await view.channel(forum);
  assert.equal(forumFacts?.type, ChannelType.GuildForum, 'a forum is known as one, so its digest opens a post');
  assert.equal(forumFacts?.guildId, sandbox.guild.id);
  // Threads are not in a server's channel list: one is looked up on its own.
  assert.equal((await view.channel(thread))?.type, ChannelType.PublicThread);
  assert.equal(await view.channel('1234567890123456789'), undefined, 'a channel the bot cannot see has no facts');

  const lookups = sandbox.requests.filter((r) => r.method === 'GET' && /^\/channels\/\d+$/.test(r.path));
  const listings = sandbox.requests.filter((r) => r.method === 'GET' && r.path === `/guilds/${sandbox.guild.id}/channels`);
  assert.equal(listings.length, 1, 'the server\'s channels were listed once');
  assert.deepEqual(lookups.map((r) => r.path), [text[0], text[1], thread, '1234567890123456789'].map((id) => `/channels/${id}`),
    `${CHANNELS + 1} channels of one server cost 2 look-ups and one listing, not a request each`);
});
