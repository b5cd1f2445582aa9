// /digest end to end: the real bot against the sandbox with a real SQLite file and a controlled clock. Setup and its
// checks, status, pause/resume/remove, posting now, preview, the Manage Server rule (hidden by Discord and checked
// again at run time), a scheduled digest at its local time, a vanished channel, and the failure path.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { InteractionResponseType, MessageFlags } from 'discord.js';
import { commandDefinitions } from '../src/bot/commands/index.js';
import { deployCommands } from '../src/bot/deploy.js';
import { RefusedByClient } from '../src/sandbox/driver.js';
import { startBotHarness, TEST_NOW, waitUntil } from './helpers/bot.js';
import type { BotHarness } from './helpers/bot.js';
import { openApiSkip } from './helpers/openapi.js';
import { storyUrls } from './helpers/reliability.js';
import { digestOf, subscribe } from './helpers/subscriptions.js';
import type { Subscription } from '../src/state/types.js';
import { channelPosts, shown } from './helpers/replies.js';
import { recordedBodyProblems } from './helpers/sandboxOpenApi.js';

let h: BotHarness;
before(async () => {
  h = await startBotHarness();
});
after(async () => {
  await h.close();
});

test('setup names the permissions the bot lacks in the channel, and saves nothing', async () => {
  const reply = await h.digest('setup', { channel: h.sandbox.channels.locked, time: '08:00', timezone: 'UTC' });
  assert.equal(reply.ephemeral, true);
  assert.match(shown(reply).content!, /cannot post digests in <#\d+>: I am missing \*\*Send Messages\*\*/);
  assert.equal(await digestOf(h.store, h.sandbox.channels.locked), undefined);
});

test('setup refuses a time that is not HH:mm and a time zone that does not exist', async () => {
  const time = await h.digest('setup', { channel: h.sandbox.channels.news, time: '25:00', timezone: 'UTC' });
  assert.match(shown(time).content!, /HH:mm on a 24-hour clock/);
  const zone = await h.digest('setup', { channel: h.sandbox.channels.news, time: '08:00', timezone: 'Mars/Olympus_Mons' });
  assert.match(shown(zone).content!, /time zone is unknown/);
  assert.equal(await digestOf(h.store, h.sandbox.channels.news), undefined);
});

test('timezone autocomplete finds zones by city', async () => {
  const { choices } = await h.sandbox.driver.autocomplete('digest', { name: 'timezone', value: 'new y' }, { subcommand: 'setup' });
  assert.deepEqual(choices[0], { name: 'America/New York', value: 'America/New_York' });
  const paris = await h.sandbox.driver.autocomplete('digest', { name: 'timezone', value: 'paris' }, { subcommand: 'setup' });
  assert.equal(paris.choices[0]!.value, 'Europe/Paris');
});

test('setup refuses a topic or outlet no article has, naming the nearest ones, and saves nothing', async () => {
  const topic = await h.digest('setup', { channel: h.sandbox.channels.news, time: '8:30', timezone: 'UTC', topics: 'Space, Heatlh' });
  assert.match(shown(topic).content!, /`topics`: No article has the topic “Heatlh”\. Did you mean “Health”\? Nothing was changed\./);
  const outlet = await h.digest('setup', { channel: h.sandbox.channels.news, time: '8:30', timezone: 'UTC', exclude_providers: 'starwire.example.nett' });
  assert.match(shown(outlet).content!, /`exclude_providers`: No article has the outlet “starwire\.example\.nett”\. Did you mean “Star Wire \(starwire\.example\.net\)”\?/);
  assert.equal(await digestOf(h.store, h.sandbox.channels.news), undefined);
});

test('setup saves the digest and answers with its schedule and next run in the channel\'s zone', async () => {
  const reply = await h.digest('setup', { channel: h.sandbox.channels.news, time: '8:30', timezone: 'europe/paris', size: 3, topics: 'space' });
  const text = shown(reply).content!;
  assert.equal(reply.ephemeral, true);
  assert.match(text, /Digest \*\*news\*\* set up for <#\d+>\. Every day at 08:30 \(Europe\/Paris\)\./);
  // 12:00 UTC on Friday 20 November is 13:00 in Paris: the next 08:30 there is Saturday's, shown to each reader in their zone.
  assert.match(text, /Next: Sat 21 Nov, 08:30 there, <t:1795246200:f> for you \(<t:1795246200:R>\)/);
  const saved = (await digestOf(h.store, h.sandbox.channels.news))!;
  assert.equal(saved.guildId, h.sandbox.guild.id);
  assert.deepEqual([saved.name, saved.time, saved.timezone, saved.settings.size, saved.settings.topics], ['news', '08:30', 'Europe/Paris', 3, ['Space']], 'the topic as the library names it');
});

test('/digest preview shows the channel\'s digest to the member alone and posts nothing', async () => {
  const before = h.sandbox.messages(h.sandbox.channels.news).length;
  const reply = await h.digest('preview');
  assert.equal(reply.type, InteractionResponseType.DeferredChannelMessageWithSource, 'deferred: choosing may take a while on a large library');
  assert.equal(reply.ephemeral, true);
  const preview = shown(reply);
  assert.match(preview.content!, /Preview of the digest <#\d+> would receive now: 3 stories\. Nothing was posted\./);
  assert.equal(preview.embeds!.length, 3);
  assert.equal(h.sandbox.messages(h.sandbox.channels.news).length, before);
});

test('/digest now posts the digest in the channel, pinging nobody', async () => {
  const reply = await h.digest('now');
  assert.equal(reply.ephemeral, true);
  assert.match(shown(reply).content!, /Digest \*\*news\*\* in <#\d+> posted \(1 message\)/);
  const [first] = h.sandbox.messages(h.sandbox.channels.news);
  assert.equal(first!.body.content, '**Daily digest — Friday, 20 November**');
  assert.equal((first!.body.embeds as unknown[]).length, 3);
  for (const url of storyUrls(h.sandbox, h.sandbox.channels.news)) assert.match(url, /\/news\/rocket-/, 'only the channel\'s topic');
  for (const body of channelPosts(h.sandbox, h.sandbox.channels.news)) assert.deepEqual(body.allowed_mentions, { parse: [] });
});

test('/digest status lists the server\'s digests with schedule, next run and last result', async () => {
  const reply = await h.digest('status');
  assert.equal(reply.ephemeral, true);
  const [field] = shown(reply).embeds![0]!.fields!;
  assert.equal(field!.name, 'news');
  assert.equal(field!.value.split(h.sandbox.channels.news).length, 2, 'the channel is named once');
  assert.match(field!.value, /^<#\d+> · Every day at 08:30 \(Europe\/Paris\)\nNext: Sat 21 Nov, 08:30 there, <t:\d+:f> for you \(<t:\d+:R>\)\n3 stories published since the previous digest \(published at most 2 days ago\); filters: topics Space/);
  assert.match(field!.value, /Last run just now — posted 1 message with 3 stories\./);
});

test('another /digest now right after has nothing new, and says why', async () => {
  h.clock.set(new Date(TEST_NOW.getTime() + 60_000));
  const reply = await h.digest('now');
  assert.match(shown(reply).content!, /Nothing new to post for \*\*news\*\* in <#\d+>: No article was published since the previous digest/);
  assert.equal(h.sandbox.messages(h.sandbox.channels.news).length, 1);
  const [field] = shown(await h.digest('status')).embeds![0]!.fields!;
  assert.match(field!.value, /Last run just now — nothing to post: no article was published since the previous digest \(published at most 2 days ago\)\.$/, 'the last result reads as a sentence');
});

test('/digest status of a server with many digests stays within one message, and says how many it left out', async () => {
  // Saved straight into the store: more than the commands allow (25), with the longest names and settings.
  const extra: Subscription[] = [];
  for (const [i, channelId] of Array.from({ length: 30 }, (_, n) => `${1_500_000_000_000_000_000n + BigInt(n)}`).entries()) {
    extra.push(await subscribe(h.store, {
      name: `${i} ${'A digest with a long name'.repeat(2)}`,
      channelId,
      guildId: h.sandbox.guild.id,
      time: '06:00',
      days: [1, 3, 5],
      timezone: 'America/Argentina/ComodRivadavia',
      settings: { ...h.bot.digests.defaultSettings(), topics: ['A long topic name'.repeat(5)], providers: ['outlet.example.com'.repeat(5)] },
    }));
  }
  try {
    const reply = await h.digest('status');
    const embed = shown(reply).embeds![0]!;
    assert.ok(embed.fields!.length >= 5);
    assert.equal(embed.footer?.text, `and ${31 - embed.fields!.length} more not shown`);
    assert.equal(h.sandbox.requests.at(-1)!.status < 300, true, 'Discord accepted it: within 6,000 characters of embed text');
  } finally {
    for (const digest of extra) await h.store.removeSubscription(digest.id);
  }
});

test('pause, resume and remove change the subscription at once, and say so', async () => {
  assert.match(shown(await h.digest('pause')).content!, /is paused/);
  assert.equal((await digestOf(h.store, h.sandbox.channels.news))!.paused, true);
  assert.match(shown(await h.digest('status')).embeds![0]!.fields![0]!.value, /⏸ Paused/);
  assert.match(shown(await h.digest('resume', { channel: h.sandbox.channels.news }, { channelId: h.sandbox.channels.general })).content!, /running again/);
  assert.equal((await digestOf(h.store, h.sandbox.channels.news))!.paused, false);
  assert.match(shown(await h.digest('remove')).content!, /is removed/);
  assert.equal(await digestOf(h.store, h.sandbox.channels.news), undefined);
  assert.match(shown(await h.digest('status')).content!, /no digest yet/);
  assert.match(shown(await h.digest('pause')).content!, /<#\d+> has no digest\. Set one up/);
  assert.match(shown(await h.digest('now')).content!, /has no digest/);
});

test('members without Manage Server: Discord hides /digest, and the bot refuses them itself when a server shows it', async () => {
  const member = h.sandbox.members.member;
  await assert.rejects(h.digest('status', {}, { as: member }), RefusedByClient);
  // A server can grant the command to everyone (Server Settings → Integrations): default_member_permissions is gone.
  const granted = commandDefinitions().map(({ default_member_permissions: _, ...rest }) => rest);
  await deployCommands(h.bot.client.rest, h.sandbox.applicationId, granted, h.sandbox.guild.id);
  try {
    for (const [subcommand, options] of [['setup', { channel: h.sandbox.channels.general, time: '09:00', timezone: 'UTC' }], ['status', {}], ['now', {}], ['pause', {}], ['remove', {}]] as const) {
      const reply = await h.digest(subcommand, options, { as: member });
      assert.equal(reply.ephemeral, true);
      assert.match(shown(reply).content!, /Only members with the \*\*Manage Server\*\* permission/, subcommand);
    }
    assert.equal(await digestOf(h.store, h.sandbox.channels.general), undefined);
    const preview = await h.digest('preview', {}, { as: member, channelId: h.sandbox.channels.general });
    assert.match(shown(preview).content!, /Preview of the digest/, 'reading a preview changes nothing, so it is allowed');
  } finally {
    await deployCommands(h.bot.client.rest, h.sandbox.applicationId, commandDefinitions(), h.sandbox.guild.id);
  }
  assert.ok(h.logs.some((l) => l.event === 'command.refused' && l.userId === member.id));
});

test('a scheduled digest is posted once, at its time in its zone, mentioning only the role chosen in setup', async () => {
  const role = h.bot.client.guilds.cache.get(h.sandbox.guild.id)!.roles.cache.find((r) => r.name === 'Editors')!;
  const general = h.sandbox.channels.general;
  await h.digest('setup', { channel: general, time: '13:30', timezone: 'Europe/Paris', topics: 'Economy', mention_role: role.id });
  await h.bot.scheduler.tick();
  assert.equal(h.sandbox.messages(general).length, 0, 'at 13:00 in Paris it is not time yet');
  h.clock.set(new Date(TEST_NOW.getTime() + 31 * 60_000)); // 13:31 in Paris
  await h.bot.scheduler.tick();
  const messages = h.sandbox.messages(general);
  assert.equal(messages.length, 1);
  assert.equal(messages[0]!.body.content, `<@&${role.id}> **Daily digest — Friday, 20 November**`);
  assert.deepEqual(channelPosts(h.sandbox, general)[0]!.allowed_mentions, { parse: [], roles: [role.id] });
  await h.bot.scheduler.tick();
  await h.restart();
  await h.bot.scheduler.tick();
  assert.equal(h.sandbox.messages(general).length, 1, 'never twice, even after a restart');
});

test('Discord trouble (a 429, then a 500) while posting and answering delays the digest but never doubles it', async () => {
  const channel = h.sandbox.createChannel('markets');
  await waitUntil(() => h.bot.client.channels.cache.has(channel), 'the bot to see the new channel');
  await h.digest('setup', { channel, time: '07:00', timezone: 'UTC', topics: 'Economy, Health' });
  h.sandbox.faults.failNext(1, 429, { route: `/channels/${channel}/messages` });
  h.sandbox.faults.failNext(1, 500, { route: `/channels/${channel}/messages` });
  h.sandbox.faults.failNext(1, 500, { route: '/webhooks/' });
  const reply = await h.digest('now', { channel });
  assert.match(shown(reply).content!, /Digest \*\*markets\*\* in <#\d+> posted \(1 message\)/);
  const urls = storyUrls(h.sandbox, channel);
  assert.equal(h.sandbox.messages(channel).length, 1);
  assert.equal(urls.length, 4, 'two stories of each outlet at most: Economy from one, Health from another, within 48 h');
  assert.equal(new Set(urls).size, urls.length);
  assert.deepEqual(h.sandbox.requests.filter((r) => r.path.includes(channel) || r.path.startsWith('/webhooks/')).filter((r) => r.status >= 400).map((r) => r.status).slice(-3).sort(), [429, 500, 500]);
});

test('a channel that disappears pauses its digest with the reason, shown in status', async () => {
  const doomed = h.sandbox.createChannel('doomed');
  await waitUntil(() => h.bot.client.channels.cache.has(doomed), 'the bot to see the new channel');
  await h.digest('setup', { channel: doomed, time: '07:00', timezone: 'UTC' });
  h.sandbox.deleteChannel(doomed);
  const reply = await h.digest('now', { channel: doomed });
  assert.match(shown(reply).content!, /could not post \*\*doomed\*\* in <#\d+>: the channel no longer exists.*\/digest resume/);
  const saved = (await digestOf(h.store, doomed))!;
  assert.equal(saved.paused, true);
  assert.match(shown(await h.digest('status')).embeds![0]!.fields!.find((f) => f.value.includes(doomed))!.value, /⏸ Paused by the bot: the channel no longer exists/);
});

test('DIGEST_CHANNEL_ID, DIGEST_TIME and DIGEST_TIMEZONE create the subscription on start; an unknown channel is logged', async () => {
  // A live digest already in the channel is not the .env one: it has no time to set.
  const live = await subscribe(h.store, { name: 'Live', kind: 'live', channelId: h.sandbox.channels.news, guildId: h.sandbox.guild.id, time: '00:00' });
  const created = await h.bot.applyEnvSubscription({ channelId: h.sandbox.channels.news, time: '06:45', timezone: 'Asia/Tokyo' });
  assert.deepEqual([created?.guildId, created?.kind, created?.time, created?.timezone], [h.sandbox.guild.id, 'scheduled', '06:45', 'Asia/Tokyo']);
  assert.deepEqual(await h.store.getSubscription(live.id), live);
  await h.store.setPaused(created!.id, true);
  assert.equal((await h.bot.applyEnvSubscription({ channelId: h.sandbox.channels.news, time: '06:45', timezone: 'Asia/Tokyo' }))?.paused, true, 'a pause outlives a restart');
  assert.equal(await h.bot.applyEnvSubscription({ channelId: '12345678901234567', time: '06:45', timezone: 'UTC' }), undefined);
  assert.ok(h.logs.some((l) => l.event === 'digest.env_channel_unknown'));
});

test('every body the bot sent matches Discord\'s OpenAPI description; refused ones are only the injected faults and the vanished channel', { skip: openApiSkip }, async () => {
  assert.deepEqual(recordedBodyProblems(h.sandbox.requests), []);
  assert.deepEqual([...new Set(h.sandbox.requests.filter((r) => r.status >= 400).map((r) => `${r.method} ${r.status}`))].sort(), ['PATCH 500', 'POST 404', 'POST 429', 'POST 500']);
  assert.equal(h.sandbox.unknownRoutes, 0);
});

test('when something breaks, the member gets a short apology and the log one line with the detail', async () => {
  await h.store.close(); // the database goes away under the bot
  const reply = await h.digest('status');
  assert.equal(reply.ephemeral, true);
  assert.equal(shown(reply).flags! & MessageFlags.Ephemeral, MessageFlags.Ephemeral);
  assert.match(shown(reply).content!, /^Sorry, something went wrong on my side/);
  const failures = h.logs.filter((l) => l.event === 'command.failed');
  assert.equal(failures.length, 1);
  assert.equal(failures[0]!.subcommand, 'status');
  assert.match(String((failures[0]!.err as { message: string }).message), /database/);
  assert.ok(!h.rawLogs().includes(h.sandbox.token));
  await h.restart();
});

test('setup takes a window, keywords and outlets to leave out; preview and status follow them', async () => {
  const channelId = h.sandbox.createChannel('space-desk');
  const reply = await h.digest('setup', { channel: channelId, time: '07:00', timezone: 'UTC', window: '7d', keywords: 'rocket, engine', exclude_providers: 'starwire.example.net' });
  assert.match(shown(reply).content!, /published in the last 7 days; filters: not outlets starwire\.example\.net; keywords rocket, engine/);
  const { settings } = (await digestOf(h.store, channelId))!;
  assert.deepEqual([settings.window, settings.keywords, settings.excludeProviders], [{ kind: 'hours', hours: 168 }, ['rocket', 'engine'], ['starwire.example.net']]);

  const preview = shown(await h.digest('preview', {}, { channelId }));
  const embeds = preview.embeds ?? [];
  assert.ok(embeds.length > 0, preview.content);
  for (const embed of embeds) {
    assert.match(embed.title!, /rocket|engine/i, 'only articles with a keyword');
    assert.notEqual(embed.author?.name, 'Star Wire', 'never an excluded outlet');
  }
  assert.equal(await h.store.removeSubscription((await digestOf(h.store, channelId))!.id), true);
});
