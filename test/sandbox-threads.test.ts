import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChannelType, Client, DiscordAPIError, Events, ForumChannel, GatewayIntentBits, MessageFlags, NewsChannel, PermissionFlagsBits, RESTJSONErrorCodes,
  Routes, TextChannel, ThreadAutoArchiveDuration, ThreadChannel,
} from 'discord.js';
import { openApiSkip } from './helpers/openapi.js';
import { startSandboxSession, type SandboxSession } from './helpers/sandbox.js';
import { recordedBodyProblems } from './helpers/sandboxOpenApi.js';

// Threads, forums and announcement channels with the real discord.js client: what the bot makes with discord.js
// lands in the sandbox as Discord would keep it, and the client's caches follow what the sandbox changes.

let session: SandboxSession;
before(async () => {
  session = await startSandboxSession();
});
after(() => session.close());

/** Polls a condition the client will make true shortly (bounded, so a broken sandbox fails instead of hanging). */
async function waitFor(condition: () => boolean, what: string, limitMs = 5000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A channel the sandbox just made, once the client has it in its cache, as the discord.js class `kind`. */
async function cached<T>(id: string, kind: { prototype: T; name: string }): Promise<T> {
  await waitFor(() => session.client.channels.cache.has(id), `channel ${id} in the client's cache`);
  const channel = session.client.channels.cache.get(id);
  // discord.js's channel classes have private constructors, so `instanceof` cannot narrow to them here.
  assert.ok(channel !== undefined && Object.prototype.isPrototypeOf.call(kind.prototype, channel), `${id} is a ${kind.name}`);
  return channel as T;
}

async function refusal(promise: Promise<unknown>): Promise<DiscordAPIError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof DiscordAPIError, `refused by the API, got ${String(error)}`);
  return error;
}

test('forums, announcement channels and threads made in the sandbox reach discord.js, live and in GUILD_CREATE at login', async () => {
  const { sandbox } = session;
  const forum = await cached(sandbox.createChannel('desk', { type: ChannelType.GuildForum, availableTags: ['Space', 'Economy'] }), ForumChannel);
  assert.deepEqual(forum.availableTags.map((t) => t.name), ['Space', 'Economy']);
  await cached(sandbox.createChannel('bulletins', { type: ChannelType.GuildAnnouncement }), NewsChannel);
  const text = sandbox.createChannel('talk');
  const open = await cached(sandbox.createChannel('open', { type: ChannelType.PublicThread, parentId: text, autoArchiveDuration: ThreadAutoArchiveDuration.OneWeek }), ThreadChannel);
  assert.equal(open.parentId, text);
  assert.equal(open.autoArchiveDuration, ThreadAutoArchiveDuration.OneWeek);
  assert.deepEqual([open.archived, open.locked], [false, false]);
  const closed = sandbox.createChannel('closed', { type: ChannelType.PublicThread, parentId: text, archived: true, locked: true });

  const late = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: sandbox.apiUrl } });
  const ready = new Promise<void>((resolve) => late.once(Events.ClientReady, () => resolve()));
  await late.login(sandbox.token);
  await ready;
  try {
    assert.equal(late.channels.cache.get(forum.id)?.type, ChannelType.GuildForum);
    const thread = late.channels.cache.get(open.id);
    assert.ok(thread instanceof ThreadChannel && thread.parentId === text, 'an active thread comes with the guild');
    assert.equal(late.channels.cache.has(closed), false, 'an archived thread does not: Discord syncs active threads only');
  } finally {
    await late.destroy();
  }
});

test('a forum post made with discord.js is a thread whose first message has the thread\'s id', async () => {
  const { sandbox } = session;
  const forum = await cached(sandbox.createChannel('digests', { type: ChannelType.GuildForum, availableTags: ['Daily'] }), ForumChannel);
  const tag = forum.availableTags[0]!.id;
  const post = await forum.threads.create({ name: 'Digest of 20 November', message: { embeds: [{ title: 'Rocket engine test goes to plan' }] }, appliedTags: [tag] });
  assert.equal(post.type, ChannelType.PublicThread);
  assert.equal(post.parentId, forum.id);
  assert.deepEqual(post.appliedTags, [tag]);
  assert.equal(post.messages.cache.get(post.id)?.embeds[0]?.title, 'Rocket engine test goes to plan', 'the answer carries the first message');
  assert.deepEqual(sandbox.threads(forum.id).map((t) => t.name), ['Digest of 20 November']);
  const [first, ...rest] = sandbox.messages(post.id);
  assert.equal(first?.id, post.id);
  assert.deepEqual(first?.body.embeds, [{ title: 'Rocket engine test goes to plan' }]);
  assert.equal(rest.length, 0);
  await post.send('More coverage');
  assert.deepEqual(sandbox.messages(post.id).map((m) => m.body.content ?? null), [null, 'More coverage']);
});

test('posting into a forum itself is refused as Discord refuses it: 400, code 40058', async () => {
  const forum = session.sandbox.createChannel('no-messages', { type: ChannelType.GuildForum });
  const error = await refusal(session.client.rest.post(Routes.channelMessages(forum), { body: { content: 'hello' } }));
  assert.equal(error.status, 400);
  assert.equal(error.code, RESTJSONErrorCodes.CannotSendAMessageInAForumChannel);
  assert.equal(session.sandbox.messages(forum).length, 0);
});

test('a thread started from a message takes its id and type from the channel; a second one is refused', async () => {
  const { sandbox } = session;
  const text = await cached(sandbox.createChannel('stories'), TextChannel);
  const story = await text.send('Central bank holds rate');
  const thread = await story.startThread({ name: 'Discuss the rate' });
  assert.equal(thread.id, story.id);
  assert.equal(thread.type, ChannelType.PublicThread);
  assert.ok(((sandbox.messages(text.id)[0]?.discordFlags ?? 0) & MessageFlags.HasThread) !== 0, 'the message is marked as having a thread');
  const again = await refusal(session.client.rest.post(Routes.threads(text.id, story.id), { body: { name: 'Again' } }));
  assert.equal(again.code, RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage);

  const announcements = await cached(sandbox.createChannel('wire', { type: ChannelType.GuildAnnouncement }), NewsChannel);
  const bulletin = await announcements.send('Markets rally');
  assert.equal((await bulletin.startThread({ name: 'Markets' })).type, ChannelType.AnnouncementThread);
});

test('threads without a message: public and private in a text channel, announcement threads in an announcement channel', async () => {
  const { sandbox } = session;
  const text = await cached(sandbox.createChannel('newsroom'), TextChannel);
  const open = await text.threads.create({ name: 'Open thread' });
  const closed = await text.threads.create({ name: 'Editors only', type: ChannelType.PrivateThread });
  assert.deepEqual([open.type, closed.type], [ChannelType.PublicThread, ChannelType.PrivateThread]);
  assert.deepEqual(sandbox.threads(text.id).map((t) => [t.name, t.type]), [['Open thread', ChannelType.PublicThread], ['Editors only', ChannelType.PrivateThread]]);
  const announcements = await cached(sandbox.createChannel('dispatch', { type: ChannelType.GuildAnnouncement }), NewsChannel);
  assert.equal((await announcements.threads.create({ name: 'Follow-ups' })).type, ChannelType.AnnouncementThread);
  assert.equal(sandbox.messages(open.id).length, 0);
});

test('posting into an archived thread unarchives it; a locked thread refuses without Manage Threads', async () => {
  const { sandbox } = session;
  const text = sandbox.createChannel('archive-room');
  const archived = await cached(sandbox.createChannel('old', { type: ChannelType.PublicThread, parentId: text }), ThreadChannel);
  sandbox.updateThread(archived.id, { archived: true });
  await waitFor(() => archived.archived === true, 'THREAD_UPDATE archiving the thread');
  await archived.send('Back with news');
  assert.equal(sandbox.channel(archived.id)?.thread?.archived, false);
  await waitFor(() => archived.archived === false, 'THREAD_UPDATE unarchiving the thread');
  assert.equal(sandbox.messages(archived.id).length, 1);

  const locked = await cached(sandbox.createChannel('closed', { type: ChannelType.PublicThread, parentId: text, locked: true }), ThreadChannel);
  const error = await refusal(locked.send('Let me in'));
  assert.equal(error.code, RESTJSONErrorCodes.ThreadLocked);
  assert.equal(sandbox.messages(locked.id).length, 0);
  const moderated = sandbox.createChannel('moderated', { botAllow: PermissionFlagsBits.ManageThreads });
  const lockedThere = await cached(sandbox.createChannel('closed too', { type: ChannelType.PublicThread, parentId: moderated, locked: true, archived: true }), ThreadChannel);
  await lockedThere.send('Moderators may');
  assert.equal(sandbox.messages(lockedThere.id).length, 1);
});

test('crossposting: in an announcement channel it publishes the message once; in a text channel it is refused', async () => {
  const { sandbox } = session;
  const announcements = await cached(sandbox.createChannel('press', { type: ChannelType.GuildAnnouncement }), NewsChannel);
  const message = await announcements.send('Digest of the day');
  await message.crosspost();
  assert.deepEqual(sandbox.crossposted(announcements.id).map((m) => m.id), [message.id]);
  const twice = await refusal(session.client.rest.post(Routes.channelMessageCrosspost(announcements.id, message.id)));
  assert.equal(twice.code, RESTJSONErrorCodes.ThisMessageWasAlreadyCrossposted);

  const text = await cached(sandbox.createChannel('plain'), TextChannel);
  const plain = await text.send('Not an announcement');
  const refused = await refusal(session.client.rest.post(Routes.channelMessageCrosspost(text.id, plain.id)));
  assert.deepEqual([refused.status, refused.code], [400, RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType]);
  assert.deepEqual(sandbox.crossposted(text.id), []);
});

test('crossposting someone else\'s message needs Manage Messages as well as Send Messages', async () => {
  const { sandbox } = session;
  const reader = sandbox.createChannel('reader-news', { type: ChannelType.GuildAnnouncement });
  const theirs = sandbox.postAs(sandbox.members.member, reader, 'Posted by a member');
  const forbidden = await refusal(session.client.rest.post(Routes.channelMessageCrosspost(reader, theirs.id)));
  assert.deepEqual([forbidden.status, forbidden.code], [403, RESTJSONErrorCodes.MissingPermissions]);
  const managed = sandbox.createChannel('managed-news', { type: ChannelType.GuildAnnouncement, botAllow: PermissionFlagsBits.ManageMessages });
  const other = sandbox.postAs(sandbox.members.member, managed, 'Also by a member');
  await session.client.rest.post(Routes.channelMessageCrosspost(managed, other.id));
  assert.deepEqual(sandbox.crossposted(managed).map((m) => m.id), [other.id]);
});

test('thread permissions: Send Messages in Threads to post, Create Public Threads to start one, Send Messages to open a forum post', async () => {
  const { sandbox } = session;
  const mute = sandbox.createChannel('mute-threads', { botDeny: PermissionFlagsBits.SendMessagesInThreads });
  const thread = await cached(sandbox.createChannel('quiet', { type: ChannelType.PublicThread, parentId: mute }), ThreadChannel);
  assert.equal((await refusal(thread.send('hello'))).code, RESTJSONErrorCodes.MissingPermissions);
  // Send Messages has no effect in threads, either way.
  const readOnly = sandbox.createChannel('read-only', { botDeny: PermissionFlagsBits.SendMessages });
  const talk = await cached(sandbox.createChannel('still talking', { type: ChannelType.PublicThread, parentId: readOnly }), ThreadChannel);
  await talk.send('Threads take their own permission');
  assert.equal(sandbox.messages(talk.id).length, 1);

  const noThreads = await cached(sandbox.createChannel('no-threads', { botDeny: PermissionFlagsBits.CreatePublicThreads }), TextChannel);
  const error = await refusal(noThreads.threads.create({ name: 'Nope' }));
  assert.deepEqual([error.status, error.code], [403, RESTJSONErrorCodes.MissingPermissions]);
  const story = await noThreads.send('A story');
  assert.equal((await refusal(story.startThread({ name: 'Nope' }))).code, RESTJSONErrorCodes.MissingPermissions);
  assert.deepEqual(sandbox.threads(noThreads.id), []);

  const closedForum = await cached(sandbox.createChannel('closed-forum', { type: ChannelType.GuildForum, botDeny: PermissionFlagsBits.SendMessages }), ForumChannel);
  assert.equal((await refusal(closedForum.threads.create({ name: 'Nope', message: { content: 'x' } }))).code, RESTJSONErrorCodes.MissingPermissions);
  const openForum = await cached(sandbox.createChannel('open-forum', { type: ChannelType.GuildForum, botDeny: PermissionFlagsBits.CreatePublicThreads }), ForumChannel);
  await openForum.threads.create({ name: 'Allowed', message: { content: 'Create Public Threads is ignored in forums' } });
  assert.equal(sandbox.threads(openForum.id).length, 1);
});

test('a deleted thread leaves the client\'s cache, and posting into it is 404 Unknown Channel; deleting a forum takes its posts', async () => {
  const { sandbox } = session;
  const text = await cached(sandbox.createChannel('short-lived'), TextChannel);
  const thread = await text.threads.create({ name: 'Soon gone' });
  await thread.send('Still here');
  sandbox.deleteChannel(thread.id);
  await waitFor(() => !session.client.channels.cache.has(thread.id), 'THREAD_DELETE');
  const gone = await refusal(session.client.rest.post(Routes.channelMessages(thread.id), { body: { content: 'Anyone?' } }));
  assert.deepEqual([gone.status, gone.code], [404, RESTJSONErrorCodes.UnknownChannel]);
  assert.equal(sandbox.messages(thread.id).length, 1, 'what was posted before stays readable to the test');

  const forum = await cached(sandbox.createChannel('closing-forum', { type: ChannelType.GuildForum }), ForumChannel);
  const post = await forum.threads.create({ name: 'Last post', message: { content: 'Bye' } });
  sandbox.deleteChannel(forum.id);
  await waitFor(() => !session.client.channels.cache.has(post.id), 'the forum\'s posts leaving with it');
  assert.equal(sandbox.channel(post.id), undefined);
});

test('commands run in a thread, never in a forum itself', async () => {
  const { sandbox } = session;
  await session.client.application.commands.set([{ name: 'ping', description: 'Ping' }]);
  session.client.on(Events.InteractionCreate, (interaction) => {
    if (interaction.isChatInputCommand()) void interaction.reply(`in ${interaction.channel?.isThread() ? 'a thread' : 'a channel'}`);
  });
  const text = sandbox.createChannel('with-thread');
  const thread = await cached(sandbox.createChannel('commands here', { type: ChannelType.PublicThread, parentId: text }), ThreadChannel);
  const reply = await sandbox.driver.command('ping', { channelId: thread.id });
  assert.equal((reply.body as { content: string }).content, 'in a thread');
  const forum = sandbox.createChannel('forum-commands', { type: ChannelType.GuildForum });
  await assert.rejects(sandbox.driver.command('ping', { channelId: forum }), /is a forum/);
});

test('nothing the client did hit a route the sandbox does not know, and every body matches Discord\'s OpenAPI description', { skip: openApiSkip }, () => {
  assert.equal(session.sandbox.unknownRoutes, 0);
  assert.deepEqual(recordedBodyProblems(session.sandbox.requests), []);
  const routes = new Set(session.sandbox.requests.map((r) => `${r.method} ${r.path.replace(/\d{17,}/g, ':id')}`));
  for (const route of ['POST /channels/:id/threads', 'POST /channels/:id/messages/:id/threads', 'POST /channels/:id/messages/:id/crosspost']) {
    assert.ok(routes.has(route), `the client used ${route}`);
  }
});
