import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChannelType, RESTJSONErrorCodes } from 'discord.js';
import { EMBED_TITLE_MAX } from '../src/discord/limits.js';
import { forumThreadSchema, threadFromMessageSchema } from '../src/sandbox/threadValidation.js';
import { openApiProblems, openApiSkip } from './helpers/openapi.js';
import { errorsAt, rawCall, startSandboxSession, type SandboxSession } from './helpers/sandbox.js';

// What the thread, forum and crosspost routes refuse, with Discord's status, code and error paths; their answers
// checked against Discord's OpenAPI description; publishing's own rate limit. Raw requests, as Discord sees them.

let session: SandboxSession;
let text: string;
let forum: string;
let announcements: string;
before(async () => {
  // Raw fetch does not queue like discord.js, so this file lifts the limits it is not about; publishing keeps Discord's.
  const roomy = { limit: 10_000, windowMs: 1000 };
  session = await startSandboxSession(undefined, { rateLimits: { channelMessages: roomy, global: roomy } });
  text = session.sandbox.createChannel('text');
  forum = session.sandbox.createChannel('forum', { type: ChannelType.GuildForum, availableTags: ['Daily'] });
  announcements = session.sandbox.createChannel('announcements', { type: ChannelType.GuildAnnouncement });
});
after(() => session.close());

const call = (method: string, path: string, body?: unknown) => rawCall(session.sandbox, method, path, body);
const long = (n: number) => 'x'.repeat(n);

const INVALID: [what: string, where: () => string, body: unknown, path: (string | number)[], code: string][] = [
  ['a thread name over 100 characters', () => text, { name: long(101), type: ChannelType.PublicThread }, ['name'], 'BASE_TYPE_MAX_LENGTH'],
  ['an empty thread name', () => text, { name: '', type: ChannelType.PublicThread }, ['name'], 'BASE_TYPE_MIN_LENGTH'],
  ['an auto-archive of 30 minutes', () => text, { name: 't', type: ChannelType.PublicThread, auto_archive_duration: 30 }, ['auto_archive_duration'], 'BASE_TYPE_CHOICES'],
  ['an announcement thread in a text channel', () => text, { name: 't', type: ChannelType.AnnouncementThread }, ['type'], 'BASE_TYPE_CHOICES'],
  ['a private thread in an announcement channel', () => announcements, { name: 't', type: ChannelType.PrivateThread }, ['type'], 'BASE_TYPE_CHOICES'],
  ['a forum post without its message', () => forum, { name: 't' }, ['message'], 'BASE_TYPE_REQUIRED'],
  ['a forum post whose embed title is over 256', () => forum, { name: 't', message: { embeds: [{ title: long(EMBED_TITLE_MAX + 1) }] } }, ['message', 'embeds', 0, 'title'], 'BASE_TYPE_MAX_LENGTH'],
  ['six tags on a forum post', () => forum, { name: 't', message: { content: 'x' }, applied_tags: Array.from({ length: 6 }, () => '1') }, ['applied_tags'], 'BASE_TYPE_MAX_LENGTH'],
];

for (const [what, where, body, path, code] of INVALID) {
  test(`${what} is refused with 400 Invalid Form Body at ${path.join('.')}, and no thread is made`, async () => {
    const parent = where();
    const { status, json } = await call('POST', `/channels/${parent}/threads`, body);
    assert.equal(status, 400);
    assert.equal(json?.code, RESTJSONErrorCodes.InvalidFormBodyOrContentType);
    assert.equal(errorsAt(json, path)?.[0]?.code, code, JSON.stringify(json?.errors));
    assert.deepEqual(session.sandbox.threads(parent), []);
  });
}

test('a forum post with an empty message is refused with 50006, as an empty channel message is', async () => {
  const { status, json } = await call('POST', `/channels/${forum}/threads`, { name: 'Empty', message: { content: '' } });
  assert.deepEqual([status, json], [400, { message: 'Cannot send an empty message', code: RESTJSONErrorCodes.CannotSendAnEmptyMessage }]);
  assert.deepEqual(session.sandbox.threads(forum), []);
});

test('threads cannot nest, forums hold no messages to start one from, and unknown ids are 404', async () => {
  const thread = session.sandbox.createChannel('a thread', { type: ChannelType.PublicThread, parentId: text });
  const nested = await call('POST', `/channels/${thread}/threads`, { name: 'inner', type: ChannelType.PublicThread });
  assert.deepEqual([nested.status, nested.json?.code], [400, RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType]);
  const fromForum = await call('POST', `/channels/${forum}/messages/${forum}/threads`, { name: 'no' });
  assert.deepEqual([fromForum.status, fromForum.json?.code], [404, RESTJSONErrorCodes.UnknownMessage]);
  const noChannel = await call('POST', '/channels/123456789012345678/threads', { name: 'no', type: ChannelType.PublicThread });
  assert.deepEqual([noChannel.status, noChannel.json?.code], [404, RESTJSONErrorCodes.UnknownChannel]);
  const noMessage = await call('POST', `/channels/${announcements}/messages/123456789012345678/crosspost`);
  assert.deepEqual([noMessage.status, noMessage.json?.code], [404, RESTJSONErrorCodes.UnknownMessage]);
});

test('publishing has its own bucket: 10 per hour per announcement channel, then 429 until the hour is over', async () => {
  const crosspost = async (channel: string) => {
    const posted = await call('POST', `/channels/${channel}/messages`, { content: 'bulletin' });
    return call('POST', `/channels/${channel}/messages/${String(posted.json?.id)}/crosspost`);
  };
  const busy = session.sandbox.createChannel('busy', { type: ChannelType.GuildAnnouncement });
  for (let i = 0; i < 10; i++) assert.equal((await crosspost(busy)).status, 200, `publish ${i + 1}`);
  const refused = await crosspost(busy);
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('x-ratelimit-limit'), '10');
  assert.ok(Number(refused.headers.get('retry-after')) > 3000, `retry after about an hour, got ${refused.headers.get('retry-after')}`);
  assert.equal(session.sandbox.crossposted(busy).length, 10);
  assert.equal((await crosspost(session.sandbox.createChannel('quiet', { type: ChannelType.GuildAnnouncement }))).status, 200, 'another channel has its own bucket');
  session.sandbox.passTime(3_600_000);
  assert.equal((await crosspost(busy)).status, 200, 'an hour later the bucket is open again');
});

test('the answers of the thread and crosspost routes match Discord\'s OpenAPI description', { skip: openApiSkip }, async () => {
  const post = await call('POST', `/channels/${forum}/threads`, { name: 'Digest', message: { content: 'Today' } });
  assert.equal(post.status, 201);
  assert.deepEqual(openApiProblems('CreatedThreadResponse', post.json), []);
  assert.deepEqual(openApiProblems('MessageResponse', post.json?.message), []);
  const plain = await call('POST', `/channels/${text}/threads`, { name: 'Plain', type: ChannelType.PublicThread });
  assert.equal(plain.status, 201);
  assert.deepEqual(openApiProblems('CreatedThreadResponse', plain.json), []);
  const message = await call('POST', `/channels/${announcements}/messages`, { content: 'News' });
  const fromMessage = await call('POST', `/channels/${announcements}/messages/${String(message.json?.id)}/threads`, { name: 'About it' });
  assert.deepEqual([fromMessage.status, fromMessage.json?.type], [201, ChannelType.AnnouncementThread]);
  assert.deepEqual(openApiProblems('ThreadResponse', fromMessage.json), []);
  const published = await call('POST', `/channels/${announcements}/messages/${String(message.json?.id)}/crosspost`);
  assert.equal(published.status, 200);
  assert.deepEqual(openApiProblems('MessageResponse', published.json), []);
  assert.deepEqual(openApiProblems('GuildChannelResponse', (await call('GET', `/channels/${forum}`)).json), []);
  const active = await call('GET', `/guilds/${session.sandbox.guild.id}/threads/active`);
  assert.deepEqual(openApiProblems('ThreadsResponse', active.json), []);
});

test('whatever thread body the sandbox accepts Discord\'s OpenAPI accepts too', { skip: openApiSkip }, () => {
  const name = fc.string({ minLength: 0, maxLength: 110 });
  const duration = fc.option(fc.constantFrom(30, 60, 1440, 4320, 10080, 20160), { nil: undefined });
  const slowmode = fc.option(fc.integer({ min: -5, max: 21_605 }), { nil: undefined });
  fc.assert(
    fc.property(name, duration, slowmode, fc.boolean(), (threadName, autoArchive, rateLimit, asForumPost) => {
      const body = { name: threadName, auto_archive_duration: autoArchive, rate_limit_per_user: rateLimit, ...(asForumPost ? { message: { content: 'x' } } : {}) };
      const [schema, openApi] = asForumPost ? [forumThreadSchema, 'CreateForumThreadRequest'] : [threadFromMessageSchema, 'CreateTextThreadWithMessageRequest'];
      if (schema.safeParse(body).success) assert.deepEqual(openApiProblems(openApi, JSON.parse(JSON.stringify(body))), []);
      else assert.notDeepEqual(openApiProblems(openApi, JSON.parse(JSON.stringify(body))), [], 'refused only where Discord refuses');
    }),
  );
});
