import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelType, DiscordAPIError, GatewayDispatchEvents, RESTJSONErrorCodes, Routes, type Interaction } from 'discord.js';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { openApiSkip } from './helpers/openapi.js';
import { rawCall } from './helpers/sandbox.js';
import { recordedBodyProblems } from './helpers/sandboxOpenApi.js';
import { connect, expectedShard, shardedClient, waitFor, type ShardedClient } from './helpers/shardedClient.js';

// Eight guilds, four shards, two real discord.js clients holding two shards each, as two gateway processes would:
// every guild's events reach the client holding its shard, (guild_id >> 22) % 4, and only it.

const SHARDS = 4;
let sandbox: DiscordSandbox;
let clients: { name: string; shards: number[]; sharded: ShardedClient }[];

const answer = (name: string) => async (interaction: Interaction) => {
  if (interaction.isChatInputCommand()) await interaction.reply({ content: `${name} on shard ${interaction.guild?.shardId}` });
};

before(async () => {
  sandbox = await DiscordSandbox.start({ logger: createLogger('silent'), guilds: 8, maxConcurrency: SHARDS });
  clients = [
    { name: 'A', shards: [0, 1] },
    { name: 'B', shards: [2, 3] },
  ].map(({ name, shards }) => ({ name, shards, sharded: shardedClient(sandbox, { shards, shardCount: SHARDS, onInteraction: answer(name) }) }));
  await Promise.all(clients.map((c) => connect(sandbox, c.sharded)));
  await clients[0]!.sharded.client.application!.commands.set([{ name: 'where', description: 'Which process answers here' }]);
});

after(async () => {
  await Promise.all(clients.map((c) => c.sharded.close()));
  await sandbox.close();
});

const holderOf = (guildId: string) => clients.find((c) => c.shards.includes(expectedShard(guildId, SHARDS)))!;
const allSeen = () => clients.flatMap((c) => c.sharded.seen.map((e) => ({ ...e, client: c.name })));

/** Once a channel made in each guild has reached its holder, everything sent earlier on that shard's connection has too. */
async function barrier(tag: string): Promise<void> {
  for (const guild of sandbox.guilds) {
    const id = sandbox.createChannel(`${tag}-barrier`, { guildId: guild.id });
    await waitFor(() => holderOf(guild.id).sharded.client.channels.cache.has(id), `the ${tag} barrier in guild ${guild.id}`);
  }
}

test('each of the 4 shards receives exactly the GUILD_CREATEs of its own guilds, and every shard owns some', () => {
  assert.equal(sandbox.guilds.length, 8);
  for (const { sharded, shards } of clients) {
    for (const shard of shards) {
      const received = sharded.seen.filter((e) => e.t === GatewayDispatchEvents.GuildCreate && e.shardId === shard).map((e) => e.guildId).sort();
      const own = sandbox.guilds.map((g) => g.id).filter((id) => expectedShard(id, SHARDS) === shard).sort();
      assert.ok(own.length > 0, `shard ${shard} owns at least one guild`);
      assert.deepEqual(received, own, `shard ${shard} received its own guilds and no other`);
    }
    assert.deepEqual([...sharded.client.guilds.cache.keys()].sort(), sandbox.guilds.map((g) => g.id).filter((id) => shards.includes(expectedShard(id, SHARDS))).sort());
  }
  assert.deepEqual(sandbox.identifies.map((i) => i.outcome), ['ready', 'ready', 'ready', 'ready'], 'four shards with distinct rate limit keys start at once');
});

test('a slash command in a guild of every shard is answered by the client holding that shard, and reaches no other', async () => {
  for (const guild of sandbox.guilds) {
    const reply = await sandbox.driver.command('where', { channelId: guild.channels.news });
    assert.equal((reply.body as { content: string }).content, `${holderOf(guild.id).name} on shard ${expectedShard(guild.id, SHARDS)}`);
  }
  await barrier('interactions');
  for (const guild of sandbox.guilds) {
    const deliveries = allSeen().filter((e) => e.t === GatewayDispatchEvents.InteractionCreate && e.guildId === guild.id);
    assert.deepEqual(deliveries.map((e) => [e.client, e.shardId]), [[holderOf(guild.id).name, expectedShard(guild.id, SHARDS)]]);
  }
});

test('channel, thread and message events of a guild go to its shard only, whichever client caused them', async () => {
  const poster = clients[0]!.sharded.client;
  for (const guild of sandbox.guilds) {
    const channel = sandbox.createChannel('desk', { guildId: guild.id });
    sandbox.createChannel('desk-thread', { type: ChannelType.PublicThread, parentId: channel });
    sandbox.postAs(sandbox.members.member, channel, `hello from ${guild.name}`);
    // Client A posts in every guild over REST, those of B's shards included: REST knows no shards.
    await poster.rest.post(Routes.channelMessages(guild.channels.general), { body: { content: `posted in ${guild.name}` } });
    assert.deepEqual(sandbox.messages(guild.channels.general).map((m) => m.body.content), [`posted in ${guild.name}`]);
  }
  await barrier('events');
  const seen = allSeen().filter((e) => e.t !== GatewayDispatchEvents.GuildCreate);
  for (const e of seen) assert.equal(e.shardId, expectedShard(e.guildId!, SHARDS), `${e.t} of guild ${e.guildId} arrived on shard ${e.shardId}`);
  for (const guild of sandbox.guilds) {
    const of = (t: string) => seen.filter((e) => e.t === t && e.guildId === guild.id).map((e) => e.client);
    const holder = holderOf(guild.id).name;
    assert.deepEqual(of(GatewayDispatchEvents.MessageCreate), [holder, holder], 'the member\'s message and the bot\'s post, once each, to the holder');
    assert.deepEqual(of(GatewayDispatchEvents.ThreadCreate), [holder]);
    assert.equal(of(GatewayDispatchEvents.ChannelCreate).length, 3, 'desk and the two barriers');
  }
});

test('every guild has its own roles, members, channels and commands, and its own permissions', async () => {
  const { client } = clients[1]!.sharded;
  const guild = sandbox.guilds.find((g) => clients[1]!.shards.includes(expectedShard(g.id, SHARDS)) && g.id !== sandbox.guild.id)!;
  const cached = client.guilds.cache.get(guild.id)!;
  assert.equal(cached.roles.everyone.id, guild.id, '@everyone has the guild\'s id');
  assert.equal(cached.members.me?.roles.cache.some((r) => r.name === 'Newsdesk'), true, 'the bot holds its role in this guild');
  const editorRoles = new Set(sandbox.guilds.map((g) => clients.map((c) => c.sharded.client.guilds.cache.get(g.id)).find(Boolean)!.roles.cache.find((r) => r.name === 'Editors')!.id));
  assert.equal(editorRoles.size, 8, 'each guild has an Editors role of its own');
  assert.deepEqual([...cached.channels.cache.values()].filter((c) => c.type === ChannelType.GuildText).map((c) => c.name).slice(0, 3), ['news', 'general', 'announcements']);

  await client.application!.commands.set([{ name: 'setup', description: 'Set up digests here' }], guild.id);
  assert.deepEqual(sandbox.registeredCommands(guild.id).map((c) => (c as { name: string }).name), ['setup']);
  assert.deepEqual(sandbox.registeredCommands(sandbox.guild.id), [], 'a guild\'s commands are its own');
  const reply = await sandbox.driver.command('setup', { channelId: guild.channels.news });
  assert.equal((reply.body as { content: string }).content, `B on shard ${expectedShard(guild.id, SHARDS)}`, 'the guild\'s own command reached its holder');
  await assert.rejects(sandbox.driver.command('setup'), /not registered/, 'and exists in no other guild');

  await assert.rejects(client.rest.post(Routes.channelMessages(guild.channels.locked), { body: { content: 'not here' } }),
    (e: unknown) => e instanceof DiscordAPIError && e.code === RESTJSONErrorCodes.MissingPermissions);
  const fetched = await rawCall(sandbox, 'GET', `/guilds/${guild.id}/channels`);
  assert.deepEqual((fetched.json as unknown as { id: string }[]).slice(0, 3).map((c) => c.id), Object.values(guild.channels));
  const mine = await rawCall(sandbox, 'GET', '/users/@me/guilds');
  assert.deepEqual((mine.json as unknown as { id: string }[]).map((g) => g.id).sort(), sandbox.guilds.map((g) => g.id).sort());
  assert.equal((await rawCall(sandbox, 'GET', `/guilds/${BigInt(guild.id) + 1n}`)).status, 404, 'a guild the bot is not in is unknown');
});

test('a guild the bot joins later arrives at the client holding its shard only', async () => {
  const joined = sandbox.addGuild();
  const holder = holderOf(joined.id);
  await waitFor(() => holder.sharded.client.guilds.cache.has(joined.id), 'the new guild at its holder');
  assert.ok(holder.sharded.client.channels.cache.has(joined.channels.news), 'with its channels');
  await barrier('joined');
  assert.deepEqual(allSeen().filter((e) => e.t === GatewayDispatchEvents.GuildCreate && e.guildId === joined.id).map((e) => [e.client, e.shardId]),
    [[holder.name, expectedShard(joined.id, SHARDS)]]);
});

test('every request body the clients sent matches Discord\'s OpenAPI description', { skip: openApiSkip }, () => {
  assert.deepEqual(recordedBodyProblems(sandbox.requests), []);
  assert.equal(sandbox.unknownRoutes, 0);
});
