// Where a digest is posted, end to end (the real bot and discord.js client, the sandbox, a real SQLite file):
// announcement channels that publish each message to their followers, forums that get a post per run, threads, and
// what setup checks for each. Crashes are simulated as in schedule-discord.test.ts: a wrapper around the real
// Discord call that throws once the call is done, before anything could be recorded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits } from 'discord.js';
import { discordHistory, discordSender, discordTargets } from '../src/bot/discordChannels.js';
import { gatewayView } from '../src/bot/discordView.js';
import { DigestDelivery } from '../src/delivery/exactlyOnce.js';
import type { ForumPosts } from '../src/delivery/forumPosts.js';
import type { Publisher } from '../src/delivery/publishing.js';
import { createLogger } from '../src/log.js';
import type { Plan, Subscription } from '../src/state/types.js';
import { FIXTURE_ARTICLES, startBotHarness, TEST_NOW, waitUntil } from './helpers/bot.js';
import type { BotHarness, FixtureArticle } from './helpers/bot.js';
import { openApiSkip } from './helpers/openapi.js';
import { shown, shownText } from './helpers/replies.js';
import { recordedBodyProblems } from './helpers/sandboxOpenApi.js';
import { subscribe } from './helpers/subscriptions.js';

const LONG_READS = 'Long reads';
const OUTLETS = ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => ({ name: `Outlet ${x.toUpperCase()}`, domain: `${x}.example.org` }));
// Ten of these as headlines take more than one message's 2,000 characters: a run of several messages.
const LONG_ARTICLES: FixtureArticle[] = Array.from({ length: 12 }, (_, i) => ({
  slug: `long-read-${i + 1}`,
  title: `Long read ${i + 1}: ${'how the orbital survey mapped every crater of the far side, '.repeat(3).trim()}`,
  hoursAgo: i + 1,
  provider: OUTLETS[i % OUTLETS.length]!,
  topics: [LONG_READS],
  quality: 200 - i,
}));

let h: BotHarness;
before(async () => {
  h = await startBotHarness({ articles: [...FIXTURE_ARTICLES, ...LONG_ARTICLES] });
});
after(async () => {
  await h.close();
});

const MINUTE_MS = 60_000;
let minutes = 0;
/** Moves the clock a minute on (each /digest now is a run of its own instant) and gives that instant. */
function nextMinute(): Date {
  const at = new Date(TEST_NOW.getTime() + ++minutes * MINUTE_MS);
  h.clock.set(at);
  return at;
}
const text = async (reply: Promise<Parameters<typeof shown>[0]>) => shownText(await reply);

async function channel(name: string, options: Parameters<BotHarness['sandbox']['createChannel']>[1] = {}): Promise<string> {
  const id = h.sandbox.createChannel(name, options);
  await waitUntil(() => h.bot.client.channels.cache.has(id), `the bot to see #${name}`);
  return id;
}

const digestIn = async (channelId: string): Promise<Subscription> => (await h.store.listSubscriptions({ channelId }))[0]!;
const crosspostsOf = (channelId: string) => h.sandbox.requests.filter((r) => r.method === 'POST' && r.path.startsWith(`/channels/${channelId}/messages/`) && r.path.endsWith('/crosspost'));
const crosspostedOnce = (channelId: string, messageId: string) => crosspostsOf(channelId).filter((r) => r.path.includes(`/${messageId}/`) && r.status === 200).length === 1;

/** A delivery like the bot's, on its client and database, whose forum posts or publications go through `wrap`. */
function deliveryWith(wrap: { forums?: (real: ForumPosts) => ForumPosts; publish?: (real: Publisher) => Publisher }): DigestDelivery {
  const { client } = h.bot;
  const targets = discordTargets(gatewayView(client), client.rest, client.token!);
  return new DigestDelivery({
    store: h.store,
    send: discordSender(client.rest),
    history: discordHistory(client.rest, () => client.user?.id),
    forums: wrap.forums?.(targets.forums) ?? targets.forums,
    publish: wrap.publish?.(targets.publish) ?? targets.publish,
    subscriptions: h.bot.subscriptions,
    logger: createLogger('silent'),
    retry: { attempts: 2, baseDelayMs: 1 },
  });
}

/** The plan the bot itself would make for the digest's run at `slot`. */
function planOf(digest: Subscription, slot: Date): () => Promise<Plan> {
  return async () => {
    const draft = await h.bot.digests.draft(digest, h.clock.now(), slot);
    return draft.ok ? draft.messages : { empty: draft.detail };
  };
}

test('/digest offers forums and public and announcement threads as channels, and a publish option', async () => {
  const digest = h.sandbox.registeredCommands(h.sandbox.guild.id).find((c) => (c as { name: string }).name === 'digest') as { options: { name: string; options?: { name: string; type: number; channel_types?: number[] }[] }[] };
  const setup = digest.options.find((o) => o.name === 'setup')!.options!;
  assert.deepEqual(setup.find((o) => o.name === 'channel')!.channel_types, [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum, ChannelType.PublicThread, ChannelType.AnnouncementThread]);
  assert.equal(setup.find((o) => o.name === 'publish')?.type, ApplicationCommandOptionType.Boolean);
});

test('setup names what the bot lacks for each kind of channel, and refuses what a channel cannot do', async () => {
  const forumNoThreads = await channel('forum-no-threads', { type: ChannelType.GuildForum, botDeny: PermissionFlagsBits.SendMessagesInThreads });
  const forumNoPosts = await channel('forum-no-posts', { type: ChannelType.GuildForum, botDeny: PermissionFlagsBits.SendMessages | PermissionFlagsBits.EmbedLinks });
  const readOnly = await channel('read-only', { botDeny: PermissionFlagsBits.SendMessages });
  const threadInReadOnly = await channel('replies welcome', { type: ChannelType.PublicThread, parentId: readOnly });
  const noThreadPosts = await channel('no-thread-posts', { botDeny: PermissionFlagsBits.SendMessagesInThreads });
  const muteThread = await channel('mute thread', { type: ChannelType.PublicThread, parentId: noThreadPosts });
  const lockedThread = await channel('locked thread', { type: ChannelType.PublicThread, parentId: h.sandbox.channels.general, locked: true });
  const forum = await channel('forum-open', { type: ChannelType.GuildForum });
  const setup = (where: string, extra: Record<string, string | boolean> = {}) => text(h.digest('setup', { channel: where, time: '08:00', timezone: 'UTC', ...extra }));

  assert.match(await setup(forumNoThreads), new RegExp(`I cannot post digests in <#${forumNoThreads}>: I am missing \\*\\*Send Messages in Threads\\*\\* there\\. Grant it to me`));
  assert.match(await setup(forumNoPosts), /I am missing \*\*Send Messages\*\*, \*\*Embed Links\*\* there\. Grant them to me/);
  assert.match(await setup(muteThread), /I am missing \*\*Send Messages in Threads\*\* there/);
  assert.match(await setup(lockedThread), new RegExp(`<#${lockedThread}> is locked: only moderators may post in it`));
  assert.match(await setup(h.sandbox.channels.general, { publish: true }), /`publish` sends each message of a digest to the servers that follow an announcement channel, and <#\d+> is not one/);
  assert.match(await text(h.digest('live', { channel: forum })), new RegExp(`<#${forum}> is a forum, where each digest opens a new post, and a live digest posts every few minutes`));
  for (const refused of [forumNoThreads, forumNoPosts, muteThread, lockedThread, h.sandbox.channels.general, forum]) {
    assert.deepEqual(await h.store.listSubscriptions({ channelId: refused }), [], 'a refused setup saves nothing');
  }

  // Send Messages does not count in a thread: the thread of a channel the bot may not post in takes a digest.
  assert.match(await setup(threadInReadOnly), /Digest \*\*replies welcome\*\* set up for/);
  const announcements = await channel('wire-desk', { type: ChannelType.GuildAnnouncement });
  // Publishing its own messages takes the bot nothing beyond Send Messages (Manage Messages is for others' messages).
  assert.match(await setup(announcements, { publish: true }), /Published to the servers following the channel/);
  assert.equal((await digestIn(announcements)).publish, true);
  // An edit that moves a publishing digest to a channel without followers is refused too.
  assert.match(await text(h.digest('edit', { digest: 'wire-desk', channel: h.sandbox.channels.general })), /`publish` sends each message .* and <#\d+> is not one\. Pick an announcement channel, or set `publish:False` for \*\*wire-desk\*\*/);
  assert.equal((await digestIn(announcements)).channelId, announcements);
  await h.store.removeSubscription((await digestIn(announcements)).id);
  await h.store.removeSubscription((await digestIn(threadInReadOnly)).id);
});

test('an announcement digest publishes each message once, through a 429 on publishing and across a restart', async () => {
  const wire = await channel('wire', { type: ChannelType.GuildAnnouncement });
  await h.digest('setup', { channel: wire, time: '08:00', timezone: 'UTC', publish: true, layout: 'headlines', size: 10, window: '7d', topics: LONG_READS });
  nextMinute();
  h.sandbox.faults.failNext(1, 429, { route: '/crosspost' });
  assert.match(await text(h.digest('now', { digest: 'wire' })), /Digest \*\*wire\*\* in <#\d+> posted \(2 messages\)/);
  const first = h.sandbox.messages(wire);
  assert.equal(first.length, 2);
  assert.deepEqual(h.sandbox.crossposted(wire).map((m) => m.id), first.map((m) => m.id), 'both messages reached the followers');
  assert.deepEqual(crosspostsOf(wire).map((r) => r.status), [429, 200, 200], 'the rate-limited publication was tried again, once');

  await h.restart();
  nextMinute();
  assert.match(await text(h.digest('now', { digest: 'wire' })), /posted \(1 message\)/, 'the two long reads left');
  const all = h.sandbox.messages(wire);
  assert.equal(all.length, 3, 'nothing posted twice');
  assert.deepEqual(h.sandbox.crossposted(wire).map((m) => m.id), all.map((m) => m.id));
  for (const message of all) assert.ok(crosspostedOnce(wire, message.id), `message ${message.id} published once`);
  assert.equal(crosspostsOf(wire).filter((r) => r.status === 400).length, 0, 'no publication was repeated');
});

test('a crash right after a message was published publishes nothing twice and posts nothing twice after the restart', async () => {
  const bulletin = await channel('bulletin', { type: ChannelType.GuildAnnouncement });
  await h.digest('setup', { channel: bulletin, time: '08:00', timezone: 'UTC', publish: true, layout: 'headlines', size: 10, window: '7d', topics: LONG_READS });
  const digest = await digestIn(bulletin);
  const slot = nextMinute();
  let publications = 0;
  const crashing = deliveryWith({
    publish: (real) => async (channelId, messageId) => {
      const result = await real(channelId, messageId);
      if (++publications === 1) throw new Error('killed after publishing, before recording it');
      return result;
    },
  });
  await assert.rejects(crashing.deliver({ subscriptionId: digest.id, channelId: bulletin, publish: digest.publish, slot, plan: planOf(digest, slot) }), /killed after publishing/);
  assert.equal(h.sandbox.messages(bulletin).length, 1, 'the crash came after the first message and its publication');

  await h.restart();
  const outcome = await h.bot.digests.runSlot(await digestIn(bulletin), slot);
  assert.equal(outcome.status, 'posted');
  assert.match(outcome.summary, /^posted 2 messages with \d+ stories$/, 'Discord\'s "already published" counts as published');
  const messages = h.sandbox.messages(bulletin);
  assert.deepEqual(outcome.messageIds, messages.map((m) => m.id), 'the run finished with its second message, the first not posted again');
  assert.equal(messages.length, 2);
  assert.deepEqual(h.sandbox.crossposted(bulletin).map((m) => m.id), messages.map((m) => m.id));
  for (const message of messages) assert.ok(crosspostedOnce(bulletin, message.id), `message ${message.id} published once`);
  assert.deepEqual(h.logs.filter((line) => line.event === 'digest.publish_refused'), [], 'no publication was taken for refused');
});

test('a forum gets a post per run, titled with the date in the digest\'s zone, holding every message of the run', async () => {
  const forum = await channel('daily-news', { type: ChannelType.GuildForum });
  // 12:00 UTC on Friday 20 November is already Saturday in Auckland.
  await h.digest('setup', { channel: forum, time: '08:00', timezone: 'Pacific/Auckland', layout: 'headlines', size: 10, window: '7d', topics: LONG_READS });
  nextMinute();
  assert.match(await text(h.digest('now', { digest: 'daily-news' })), /Digest \*\*daily-news\*\* in <#\d+> posted \(2 messages\)/);
  const [post] = h.sandbox.threads(forum);
  assert.equal(post?.name, 'Daily digest — Saturday, 21 November');
  const inPost = h.sandbox.messages(post.id);
  assert.deepEqual(inPost.map((m) => m.id), (await h.store.runMessages((await h.store.findRun((await digestIn(forum)).id, h.clock.now()))!.id)).map((m) => m.messageId));
  assert.equal(inPost[0]!.id, post.id, 'the first message opened the post');
  assert.match(String(inPost[0]!.body.content), /^\*\*Daily digest — Saturday, 21 November\*\*\n• \[Long read/);
  assert.match(String(inPost[1]!.body.content), /^• \[Long read/);

  nextMinute();
  assert.match(await text(h.digest('now', { digest: 'daily-news' })), /posted \(1 message\)/);
  const posts = h.sandbox.threads(forum);
  assert.equal(posts.length, 2, 'the next run opened a post of its own');
  assert.equal(h.sandbox.messages(posts[1]!.id).length, 1);
  assert.equal(h.sandbox.messages(post.id).length, 2, 'nothing was added to the first post');
});

test('a crash after Discord opened the forum post but before it was recorded opens no second post', async () => {
  const forum = await channel('crash-forum', { type: ChannelType.GuildForum });
  await h.digest('setup', { channel: forum, time: '08:00', timezone: 'UTC', layout: 'headlines', size: 10, window: '7d', topics: LONG_READS });
  const digest = await digestIn(forum);
  const slot = nextMinute();
  const crashing = deliveryWith({
    forums: (real) => ({
      ...real,
      async start(forumId, title, message) {
        await real.start(forumId, title, message);
        throw new Error('killed after the post was opened, before recording it');
      },
    }),
  });
  await assert.rejects(crashing.deliver({ subscriptionId: digest.id, channelId: forum, publish: digest.publish, slot, plan: planOf(digest, slot) }), /killed after the post was opened/);
  assert.equal(h.sandbox.threads(forum).length, 1);

  await h.restart();
  const outcome = await h.bot.digests.runSlot(await digestIn(forum), slot);
  assert.equal(outcome.status, 'posted');
  const posts = h.sandbox.threads(forum);
  assert.equal(posts.length, 1, 'the post opened before the crash was found and kept');
  assert.equal(posts[0]!.name, 'Daily digest — Friday, 20 November');
  assert.deepEqual(h.sandbox.messages(posts[0]!.id).map((m) => m.id), outcome.messageIds, 'the run\'s second message went into that post');
  assert.equal(outcome.messageIds.length, 2);
  assert.equal(h.sandbox.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${forum}/threads`).length, 1, 'one post was ever opened');
});

test('a thread takes the digest: posting reopens an archived one, and a locked one pauses the digest with the reason', async () => {
  const thread = await channel('morning thread', { type: ChannelType.PublicThread, parentId: h.sandbox.channels.general });
  await h.digest('setup', { channel: thread, time: '08:00', timezone: 'UTC', size: 2, window: '7d' });
  h.sandbox.updateThread(thread, { archived: true });
  nextMinute();
  assert.match(await text(h.digest('now', { digest: 'morning thread' })), /posted \(1 message\)/);
  assert.equal(h.sandbox.messages(thread).length, 1);
  assert.equal(h.sandbox.channel(thread)?.thread?.archived, false, 'the post reopened the thread');

  h.sandbox.updateThread(thread, { locked: true });
  nextMinute();
  assert.match(await text(h.digest('now', { digest: 'morning thread' })), /I could not post .* the thread is locked, so only moderators may post in it: unlock it.* It is paused/);
  assert.equal(h.sandbox.messages(thread).length, 1);
  const status = shown(await h.digest('status')).embeds![0]!.fields!.find((f) => f.name === '⏸ morning thread')!;
  assert.match(status.value, /⏸ Paused by the bot: the thread is locked/);
});

test('a deleted thread or a forum that forbids its posts pauses only its own digest, and status says why', async () => {
  const doomed = await channel('doomed thread', { type: ChannelType.PublicThread, parentId: h.sandbox.channels.general });
  const survivor = await channel('survivor thread', { type: ChannelType.PublicThread, parentId: h.sandbox.channels.general });
  // Set up before the bot lost Send Messages in Threads there (setup would refuse it now).
  const strict = await channel('strict-forum', { type: ChannelType.GuildForum, botDeny: PermissionFlagsBits.SendMessagesInThreads });
  for (const where of [doomed, survivor]) await h.digest('setup', { channel: where, time: '08:00', timezone: 'UTC', size: 2, window: '7d' });
  await subscribe(h.store, { name: 'strict-forum', channelId: strict, guildId: h.sandbox.guild.id, time: '08:00', settings: { ...(await digestIn(doomed)).settings, layout: 'headlines', size: 10, topics: [LONG_READS] } });
  h.sandbox.deleteChannel(doomed);
  nextMinute();
  await Promise.all([doomed, survivor, strict].map(async (where) => h.bot.digests.postNow(await digestIn(where))));

  assert.equal((await digestIn(survivor)).paused, false);
  assert.equal(h.sandbox.messages(survivor).length, 1);
  assert.equal((await digestIn(doomed)).pausedReason, 'the channel no longer exists, or the bot can no longer see it');
  // The post opens with Send Messages; the run's second message needs Send Messages in Threads.
  const [post] = h.sandbox.threads(strict);
  assert.equal(h.sandbox.messages(post!.id).length, 1);
  assert.match((await digestIn(strict)).pausedReason ?? '', /^the bot may not post in this channel \(Missing Permissions\): .*Send Messages in Threads/);
  const fields = shown(await h.digest('status')).embeds![0]!.fields!;
  assert.match(fields.find((f) => f.name === '⏸ doomed thread')!.value, /⏸ Paused by the bot: the channel no longer exists/);
  assert.match(fields.find((f) => f.name === '⏸ strict-forum')!.value, /⏸ Paused by the bot: the bot may not post in this channel/);
  assert.doesNotMatch(fields.find((f) => f.name === 'survivor thread')!.value, /Paused/);
});

test('a publication past Discord\'s 10 an hour waits, never re-posted, and goes out with the next digest after a restart', async () => {
  const busy = await channel('busy-wire', { type: ChannelType.GuildAnnouncement });
  await h.digest('setup', { channel: busy, time: '08:00', timezone: 'UTC', publish: true, size: 1, window: '7d' });
  for (let run = 1; run <= 11; run++) {
    nextMinute();
    assert.match(await text(h.digest('now', { digest: 'busy-wire' })), /posted \(1 message\)/);
  }
  assert.equal(h.sandbox.messages(busy).length, 11);
  assert.equal(h.sandbox.crossposted(busy).length, 10, 'Discord\'s bucket holds 10 an hour');
  assert.match((await digestIn(busy)).lastResult ?? '', /^posted 1 message with 1 story; 1 message not published yet \(Discord publishes at most 10 messages an hour in a channel\)/);

  h.sandbox.passTime(60 * MINUTE_MS);
  await h.restart();
  nextMinute();
  assert.match(await text(h.digest('now', { digest: 'busy-wire' })), /posted \(1 message\)/);
  const messages = h.sandbox.messages(busy);
  assert.equal(messages.length, 12, 'nothing posted twice');
  assert.deepEqual(h.sandbox.crossposted(busy).map((m) => m.id), messages.map((m) => m.id), 'the one owed went out first, then the new one');
  for (const message of messages) assert.ok(crosspostedOnce(busy, message.id), `message ${message.id} published once`);
});

test('every body the bot sent matches Discord\'s OpenAPI description', { skip: openApiSkip }, async () => {
  assert.deepEqual(recordedBodyProblems(h.sandbox.requests), []);
  assert.equal(h.sandbox.unknownRoutes, 0);
});
