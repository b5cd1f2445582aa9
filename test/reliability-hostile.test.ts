// Hostile commands through the sandbox driver against the real bot: every string option of every command fed
// over-long, empty, unicode, markdown, mention-bearing and injection-shaped values; autocomplete asked for values
// nobody has; buttons whose custom_ids were forged; and a member without Manage Server trying every setting
// command on a server that shows them /digest. Each must get a clear answer (never the "something went wrong"
// apology, never silence), nothing the bot sends may ping, the database must not change where nothing should,
// and every body must be one Discord accepts (the sandbox's validation, and the OpenAPI description when present).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { ButtonStyle, ComponentType, InteractionResponseType, Routes } from 'discord.js';
import { commandDefinitions } from '../src/bot/commands/index.js';
import { deployCommands } from '../src/bot/deploy.js';
import { FAILURE } from '../src/bot/replies.js';
import { DAYS_MAX } from '../src/bot/customId.js';
import { DIGEST_SIZE_MAX, QUALITY_MAX, QUALITY_MIN } from '../src/digest/settings.js';
import { AUTOCOMPLETE_CHOICES_MAX, CUSTOM_ID_MAX } from '../src/discord/limits.js';
import type { InteractionReply, InvokeOptions } from '../src/sandbox/driver.js';
import { startBotHarness } from './helpers/bot.js';
import type { BotHarness } from './helpers/bot.js';
import { openApiSkip } from './helpers/openapi.js';
import { pingProblems } from './helpers/reliability.js';
import { shown } from './helpers/replies.js';
import { recordedBodyProblems } from './helpers/sandboxOpenApi.js';
import { digestOf, subscribe } from './helpers/subscriptions.js';

const ROLE = '123456789012345678';
const HOSTILE: readonly string[] = [
  '',
  '   ',
  'x'.repeat(6000),
  '@everyone',
  '@here hello',
  `<@${ROLE}> <@&${ROLE}> <#${ROLE}>`,
  '**bold** __under__ ~~strike~~ ||spoiler|| `code` ```block```',
  '[click me](https://evil.example.com) <https://evil.example.com>',
  '# Heading\n> quote\n- list',
  '🚀'.repeat(80),
  'Z̷̢̛a̴̠͝l̶̨̏g̷̱̀o̸̧͒',
  '\u202eevil\u202c \u200b\u0000\u0007',
  'Économie ÉCONOMIE économie',
  "'; DROP TABLE subscriptions; --",
  '%s %d ${process.env.DISCORD_TOKEN} {{7*7}}',
  'nd1:s:1:0:0:::x',
];

let h: BotHarness;
before(async () => {
  h = await startBotHarness();
});
after(async () => {
  await h.close();
});

/** Everything the database holds, table by table, read through a connection of its own. */
function snapshot(): string {
  const db = new Database(path.join(h.dir, 'data', 'newsdesk.sqlite'), { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[];
    return JSON.stringify(tables.map((table) => [table, db.prepare(`SELECT * FROM "${table}"`).all()]));
  } finally {
    db.close();
  }
}

/** The answer is a real one: some text or an embed, and not the apology for a failure on the bot's side. */
function assertClearAnswer(reply: InteractionReply, what: string): void {
  const body = shown(reply);
  assert.ok((body.content ?? '').trim().length > 0 || (body.embeds ?? []).length > 0, `${what}: an empty answer`);
  assert.notEqual(body.content, FAILURE.content, `${what}: the bot failed`);
}

const failures = () => h.logs.filter((l) => Number(l.level) >= 50);

/** Every string option of every subcommand, except those whose value is a channel or role (Discord picks those). */
const STRING_OPTIONS: [command: string, subcommand: string, option: string, others: Record<string, string>][] = [
  ['news', 'search', 'query', {}],
  ['news', 'search', 'topic', {}],
  ['news', 'search', 'provider', {}],
  ['news', 'latest', 'topic', {}],
  ['digest', 'setup', 'time', { timezone: 'UTC' }],
  ['digest', 'setup', 'timezone', { time: '08:00' }],
];

test('every string option answers hostile values clearly, and the refused ones change nothing', { timeout: 60_000 }, async () => {
  for (const [command, subcommand, option, others] of STRING_OPTIONS) {
    for (const value of HOSTILE) {
      const what = `/${command} ${subcommand} ${option}:${JSON.stringify(value.slice(0, 40))}`;
      const before = snapshot();
      const invoke: InvokeOptions = { subcommand, options: { ...(command === 'digest' ? { channel: h.sandbox.channels.news } : {}), ...others, [option]: value } };
      const reply = await h.sandbox.driver.command(command, invoke);
      assertClearAnswer(reply, what);
      // None of these values is a valid time or time zone, so setup must refuse them and save nothing.
      assert.equal(snapshot(), before, `${what} changed the database`);
      if (command === 'digest') assert.equal(reply.ephemeral, true, `${what}: a refusal is shown to the member alone`);
    }
  }
  assert.deepEqual(failures(), []);
});

test('integer options at the very ends of the ranges Discord lets through are answered and saved as given', async () => {
  for (const days of [1, DAYS_MAX]) assertClearAnswer(await h.news('search', { query: 'rocket', days }), `days:${days}`);
  for (const [size, quality] of [[1, QUALITY_MIN], [DIGEST_SIZE_MAX, QUALITY_MAX]] as const) {
    const reply = await h.digest('setup', { channel: h.sandbox.channels.news, time: '08:00', timezone: 'UTC', size, min_quality: quality });
    assertClearAnswer(reply, `size:${size} min_quality:${quality}`);
    const { settings } = (await digestOf(h.store, h.sandbox.channels.news))!;
    assert.deepEqual([settings.size, settings.minQuality], [size, quality]);
    assertClearAnswer(await h.digest('preview'), `preview with size ${size}, min_quality ${quality}`);
  }
  assert.deepEqual(failures(), []);
});

test('integer options outside their declared ranges are refused by name and change nothing', async () => {
  const before = snapshot();
  const cases: [string, InvokeOptions, RegExp][] = [
    ['news', { subcommand: 'search', options: { query: 'rocket', days: 0 } }, /`days` must be from 1 to/],
    ['news', { subcommand: 'search', options: { query: 'rocket', days: 1e9 } }, /`days` must be from 1 to/],
    ['digest', { subcommand: 'setup', options: { channel: h.sandbox.channels.general, time: '08:00', timezone: 'UTC', size: 0 } }, /`size` must be from 1 to 10/],
    ['digest', { subcommand: 'setup', options: { channel: h.sandbox.channels.general, time: '08:00', timezone: 'UTC', size: 1_000_000 } }, /`size` must be from 1 to 10/],
    ['digest', { subcommand: 'setup', options: { channel: h.sandbox.channels.general, time: '08:00', timezone: 'UTC', min_quality: -1 } }, /`min_quality` must be from 0 to/],
  ];
  for (const [command, options, expected] of cases) {
    const reply = await h.sandbox.driver.command(command, options);
    assert.equal(reply.ephemeral, true);
    assert.match(shown(reply).content ?? '', expected, JSON.stringify(options.options));
  }
  assert.equal(snapshot(), before);
  assert.deepEqual(failures(), []);
});

test('hostile keyword lists are saved as typed, hostile topics and outlets are refused by name; none formats or pings', { timeout: 60_000 }, async () => {
  for (const value of HOSTILE) {
    const reply = await h.digest('setup', { channel: h.sandbox.channels.news, time: '08:00', timezone: 'UTC', keywords: value });
    assertClearAnswer(reply, `setup keywords:${JSON.stringify(value.slice(0, 40))}`);
    const saved = (await digestOf(h.store, h.sandbox.channels.news))!;
    const typed = [...new Set(value.split(',').map((t) => t.trim()).filter(Boolean))];
    // Ten at most, as the command says, within the option's declared length; longer is refused and the previous settings stay.
    if (value.length > 300) assert.match(shown(reply).content ?? '', /`keywords` can be at most 300 characters/);
    else if (typed.length <= 10 && typed.join() !== 'none') assert.deepEqual(saved.settings.keywords, typed);
    const status = await h.digest('status');
    assertClearAnswer(status, 'status after a hostile setup');
    // Shown back escaped: the member sees the asterisks and brackets they typed, not bold text or a link.
    if (value.includes('**bold**')) assert.match(JSON.stringify(shown(status)), /bold/, 'the keywords are shown in /digest status');
    if (value.includes('**bold**')) assert.ok(!JSON.stringify(shown(status)).includes('**bold**'), 'markdown in a keyword formats /digest status');
    if (value.includes('](https://')) assert.ok(!JSON.stringify(shown(status)).includes('[click me](https://'), 'a keyword makes a link in /digest status');
    assertClearAnswer(await h.digest('preview'), 'preview after a hostile setup');

    // No article has such a topic or outlet: refused, naming the option, and the digest stays as it was.
    const named = typed.length > 0 && typed.join().toLowerCase() !== 'none';
    for (const option of ['topics', 'providers', 'exclude_providers']) {
      const before = JSON.stringify(await digestOf(h.store, h.sandbox.channels.news));
      const refused = await h.digest('setup', { channel: h.sandbox.channels.news, time: '08:00', timezone: 'UTC', [option]: value });
      assertClearAnswer(refused, `setup ${option}:${JSON.stringify(value.slice(0, 40))}`);
      assert.ok(!(shown(refused).content ?? '').includes('**bold**'), 'a refusal shows the name escaped');
      if (!named) continue;
      assert.match(shown(refused).content ?? '', new RegExp(`\`${option}\``), option);
      assert.equal(JSON.stringify(await digestOf(h.store, h.sandbox.channels.news)), before, 'a refused setup changes nothing');
    }
  }
  assert.deepEqual(failures(), []);
});

test('autocomplete for values nobody has answers a short valid list, never an error', { timeout: 60_000 }, async () => {
  for (const value of HOSTILE) {
    for (const [command, subcommand, option] of [['news', 'search', 'topic'], ['news', 'search', 'provider'], ['news', 'latest', 'topic'], ['digest', 'setup', 'timezone']] as const) {
      const { choices } = await h.sandbox.driver.autocomplete(command, { name: option, value }, { subcommand });
      assert.ok(Array.isArray(choices) && choices.length <= AUTOCOMPLETE_CHOICES_MAX, `${command} ${option}`);
    }
  }
  assert.deepEqual(failures(), []);
});

/** Custom_ids nobody issued: truncated, from other layouts, with fields out of range, another member's, odd text. */
function forgedIds(adminId: string, memberId: string): string[] {
  return [
    'x', 'nd1', 'nd1:', 'nd1:s', 'nd1:s:', 'nd1:q:' + adminId + ':0:0:::rocket', 'nd2:s:' + adminId + ':0:0:::rocket', 'page:2', 'page:-1',
    `nd1:s:${memberId}:1:0:::rocket`, `nd1:s:${adminId}:zzzz:0:::rocket`, `nd1:s:${adminId}:1:zzzz:::rocket`, `nd1:s:${adminId}:-1:0:::rocket`,
    `nd1:s:${adminId}:1:0:zzzzzzz::rocket`, `nd1:s:${adminId}:1:0::zzzzzzz:rocket`, `nd1:s:${adminId}:1:0:::@everyone`, `nd1:l:${adminId}:1:0:::`,
    `nd1:s:99999999999999999999:1:0:::rocket`, `nd1:s:${adminId}:1:0:::${'q'.repeat(CUSTOM_ID_MAX)}`.slice(0, CUSTOM_ID_MAX),
    `nd1:s:${adminId}:1:0:::🚀🚀🚀`, `nd1:s:${adminId}:1:0:::\u202e`, 'nd1:s:<@&1>:1:0:::', '../../etc/passwd', '{"page":2}',
  ];
}

test('buttons with forged custom_ids get a clear answer; none pages for anyone but the member it names; the database stays', { timeout: 60_000 }, async () => {
  const { admin, member } = h.sandbox.members;
  const before = snapshot();
  let channelId = '';
  const clicks = forgedIds(admin.id, member.id).flatMap((customId) => [admin, member].map((as) => ({ customId, as })));
  for (const [i, { customId, as }] of clicks.entries()) {
    // One message per click, since a click that decodes may turn the page and replace the buttons; a fresh channel
    // every few messages keeps clear of the per-channel rate limit.
    if (i % 4 === 0) channelId = h.sandbox.createChannel(`forged-${i}`);
    const posted = (await h.bot.client.rest.post(Routes.channelMessages(channelId), {
      body: {
        content: 'Buttons someone crafted',
        allowed_mentions: { parse: [] },
        components: [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Forged', custom_id: customId }] }],
      },
    })) as { id: string };
    const reply = await h.sandbox.driver.click(posted, customId, { as });
    const what = `button ${customId} clicked by ${as.username}`;
    assertClearAnswer(reply, what);
    const other = as === admin ? member : admin;
    if (customId.includes(other.id)) assert.notEqual(reply.type, InteractionResponseType.UpdateMessage, `${what}: paged someone else's search`);
    if (reply.type !== InteractionResponseType.UpdateMessage) assert.equal(reply.ephemeral, true, `${what}: a refusal is shown to the clicker alone`);
  }
  assert.equal(snapshot(), before);
  assert.deepEqual(failures(), []);
});

test('a member without Manage Server, on a server that shows them /digest, is refused every setting command and changes nothing', { timeout: 60_000 }, async () => {
  const member = h.sandbox.members.member;
  await subscribe(h.store, { channelId: h.sandbox.channels.general, guildId: h.sandbox.guild.id, time: '07:00', settings: h.bot.digests.defaultSettings() });
  const granted = commandDefinitions().map(({ default_member_permissions: _, ...definition }) => definition);
  await deployCommands(h.bot.client.rest, h.sandbox.applicationId, granted, h.sandbox.guild.id);
  try {
    const before = snapshot();
    const channel = h.sandbox.channels.general;
    const attempts: [string, InvokeOptions['options']][] = [
      ['setup', { channel, time: '09:00', timezone: 'UTC' }],
      ['setup', { channel, time: '09:00', timezone: 'UTC', topics: '@everyone', mention_role: h.sandbox.guild.id }],
      ['now', { channel }], ['pause', { channel }], ['resume', { channel }], ['remove', { channel }],
      ['now', {}], ['pause', {}], ['remove', {}],
    ];
    for (const [subcommand, options] of attempts) {
      const reply = await h.digest(subcommand, options, { as: member, channelId: channel });
      assert.equal(reply.ephemeral, true, subcommand);
      assert.match(shown(reply).content ?? '', /Only members with the \*\*Manage Server\*\* permission/, subcommand);
    }
    assert.equal(snapshot(), before, 'the refused commands changed the database');
    assert.equal(h.sandbox.messages(channel).length, 0, 'nothing was posted');
  } finally {
    await deployCommands(h.bot.client.rest, h.sandbox.applicationId, commandDefinitions(), h.sandbox.guild.id);
  }
});

test('nothing the bot sent could ping anyone; every body was accepted by the sandbox', () => {
  assert.deepEqual(pingProblems(h.sandbox.requests), []);
  const refused = h.sandbox.requests.filter((r) => r.status >= 400 && r.status !== 429);
  assert.deepEqual(refused.map((r) => `${r.method} ${r.path} ${r.status}`), []);
  assert.equal(h.sandbox.unknownRoutes, 0);
});

test('every body the bot sent matches Discord\'s OpenAPI description', { skip: openApiSkip }, () => {
  assert.deepEqual(recordedBodyProblems(h.sandbox.requests), []);
});
