// /news and /help end to end: the real bot (discord.js client, routers, library over fixture files, SQLite) answering
// the sandbox's members, and every body it sent checked against Discord's limits (the sandbox refuses any body
// beyond them) and its OpenAPI description.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ButtonStyle, ComponentType, InteractionResponseType, MessageFlags, Routes } from 'discord.js';
import { AUTOCOMPLETE_CHOICE_NAME_MAX, AUTOCOMPLETE_CHOICE_VALUE_MAX, AUTOCOMPLETE_CHOICES_MAX, CUSTOM_ID_MAX } from '../src/discord/limits.js';
import { commandDefinitions } from '../src/bot/commands/index.js';
import { deployCommands } from '../src/bot/deploy.js';
import { RefusedByClient } from '../src/sandbox/driver.js';
import { HOSTILE_TITLE, LONG_TOPIC, startBotHarness, waitUntil, writeFixtureArticles } from './helpers/bot.js';
import type { BotHarness } from './helpers/bot.js';
import { openApiSkip } from './helpers/openapi.js';
import { shown, type ShownMessage } from './helpers/replies.js';
import { recordedBodyProblems } from './helpers/sandboxOpenApi.js';

let h: BotHarness;
before(async () => {
  h = await startBotHarness();
});
after(async () => {
  await h.close();
});

const buttons = (message: ShownMessage) => message.components?.[0]?.components ?? [];
const button = (message: ShownMessage, label: RegExp) => buttons(message).find((b) => label.test(b.label))!;
const entries = (message: ShownMessage) => (message.embeds?.[0]?.description ?? '').split('\n\n');

test('/news search shows a page of five: title linking to the article, outlet and time ago, with paging buttons', async () => {
  const reply = await h.news('search', { query: 'rocket' });
  assert.equal(reply.type, InteractionResponseType.ChannelMessageWithSource);
  assert.equal(reply.ephemeral, false, 'results are shared in the channel');
  const message = shown(reply);
  assert.deepEqual(message.allowed_mentions, { parse: [] });
  assert.equal(entries(message).length, 5);
  // The best match first; 13 published articles mention rockets (the unpublished rumour is not listed).
  assert.match(message.embeds![0]!.description!, /\[Rocket engine test 1 goes to plan\]\(https:\/\/orbit\.example\.com\/news\/rocket-1\)/);
  assert.match(entries(message)[0]!, /Orbit Daily · 1 h ago/);
  assert.doesNotMatch(message.embeds![0]!.description!, /rumour/);
  assert.match(message.embeds![0]!.footer!.text, /Page 1 of 3 · 13 article/);
  const [previous, next] = buttons(message);
  assert.equal(previous!.disabled, true);
  assert.equal(next!.disabled, false);
  assert.equal(previous!.style, ButtonStyle.Secondary);
  for (const b of buttons(message)) assert.ok(b.custom_id.length <= CUSTOM_ID_MAX);
});

test('Next and Previous page through the results; the last page disables Next', async () => {
  const first = await h.news('search', { query: 'rocket' });
  const titlesOf = (m: ShownMessage) => entries(m).map((e) => /\[([^\]]+)\]/.exec(e)?.[1]);
  const seen = new Set(titlesOf(shown(first)));
  const second = await h.sandbox.driver.click(first, button(shown(first), /Next/).custom_id);
  assert.equal(second.type, InteractionResponseType.UpdateMessage, 'the results message itself is updated');
  const page2 = h.sandbox.driver.message(first.id) as ShownMessage;
  assert.match(page2.embeds![0]!.footer!.text, /Page 2 of 3/);
  for (const title of titlesOf(page2)) assert.ok(!seen.has(title), `${title} was already on page 1`);
  await h.sandbox.driver.click(first, button(page2, /Next/).custom_id);
  const page3 = h.sandbox.driver.message(first.id) as ShownMessage;
  assert.match(page3.embeds![0]!.footer!.text, /Page 3 of 3/);
  assert.equal(entries(page3).length, 3);
  assert.equal(button(page3, /Next/).disabled, true);
  await h.sandbox.driver.click(first, button(page3, /Previous/).custom_id);
  assert.match((h.sandbox.driver.message(first.id) as ShownMessage).embeds![0]!.footer!.text, /Page 2 of 3/);
});

test('private:true shows the results to the searcher alone, and paging keeps them so', async () => {
  const reply = await h.news('search', { query: 'rocket', private: true });
  assert.equal(reply.ephemeral, true);
  assert.match(shown(reply).embeds![0]!.footer!.text, /Page 1 of 3/);
  const next = await h.sandbox.driver.click(reply, button(shown(reply), /Next/).custom_id);
  assert.equal(next.type, InteractionResponseType.UpdateMessage, 'the private message itself is updated');
  assert.match((h.sandbox.driver.message(reply.id) as ShownMessage).embeds![0]!.footer!.text, /Page 2 of 3/);
  assert.equal((await h.news('latest', { private: true })).ephemeral, true);
  assert.match(JSON.stringify(shown(await h.sandbox.driver.command('help')).embeds), /private:true/, '/help says how');
});

test('only the member who searched can page; anyone else gets an ephemeral hint and the page stays', async () => {
  const mine = await h.news('search', { query: 'rocket' }, { as: h.sandbox.members.admin });
  const theirs = await h.sandbox.driver.click(mine, button(shown(mine), /Next/).custom_id, { as: h.sandbox.members.member });
  assert.equal(theirs.type, InteractionResponseType.ChannelMessageWithSource);
  assert.equal(theirs.ephemeral, true);
  assert.match(shown(theirs).content!, /someone else’s search.*\/news search/);
  assert.match((h.sandbox.driver.message(mine.id) as ShownMessage).embeds![0]!.footer!.text, /Page 1 of 3/);
});

test('paging still works after the bot restarts: the buttons carry the whole search', async () => {
  const reply = await h.news('search', { query: 'rocket', topic: 'Space', days: 30 });
  assert.match(shown(reply).embeds![0]!.footer!.text, /Page 1 of 3 · 12 article/, 'the 40-day-old article is outside 30 days');
  await h.restart();
  const clicked = await h.sandbox.driver.click(reply, button(shown(reply), /Next/).custom_id);
  assert.equal(clicked.type, InteractionResponseType.UpdateMessage);
  const page2 = h.sandbox.driver.message(reply.id) as ShownMessage;
  assert.match(page2.embeds![0]!.footer!.text, /Page 2 of 3 · 12 article/);
  assert.match(page2.embeds![0]!.title!, /topic Space/);
});

test('paging a search whose topic has left the library says so instead of showing an unrelated page', async () => {
  const popUp = Array.from({ length: 6 }, (_, i) => ({ slug: `pop-up-${i}`, title: `Pop-up market ${i} opens`, hoursAgo: 1, provider: { name: 'Town Crier', domain: 'crier.example.com' }, topics: ['Pop-up markets'] }));
  // The watcher may deliver the files in several batches: wait for the library to hold what the test expects.
  const popUpCount = () => h.library.topics('Pop-up markets', 1).find((t) => t.name === 'Pop-up markets')?.count ?? 0;
  writeFixtureArticles(h.contentDir, h.clock.now(), popUp);
  await waitUntil(() => popUpCount() === 6, 'the new articles');
  const reply = await h.news('search', { topic: 'Pop-up markets' });
  assert.match(shown(reply).embeds![0]!.footer!.text, /Page 1 of 2/);
  for (const article of popUp) fs.rmSync(path.join(h.contentDir, `${article.slug}.md`));
  await waitUntil(() => popUpCount() === 0, 'the removal');
  const clicked = await h.sandbox.driver.click(reply, button(shown(reply), /Next/).custom_id);
  assert.equal(clicked.ephemeral, true);
  assert.match(shown(clicked).content!, /no longer in the library/);
});

test('topic, outlet and days narrow the search; a single page has no buttons', async () => {
  const reply = await h.news('search', { topic: 'space', provider: 'orbit.example.com', days: 1 });
  const message = shown(reply);
  assert.equal(entries(message).length, 4, 'Orbit Daily published rocket tests 1, 4, 7 and 10 in the last 24 h');
  for (const entry of entries(message)) assert.match(entry, /Orbit Daily/);
  assert.equal(message.components?.length ?? 0, 0);
});

test('no match says so, privately, and suggests a broader search', async () => {
  const reply = await h.news('search', { query: 'zebra crossing', days: 2 });
  assert.equal(reply.ephemeral, true);
  assert.match(shown(reply).content!, /Nothing found for “zebra crossing” in the last 2 days\. Try fewer words, a longer period/);
  const oneDay = await h.news('search', { topic: 'Economy', provider: 'clinic.example.org', days: 1 });
  assert.match(shown(oneDay).content!, /Nothing found for articles on Economy from Clinic Times in the last day\./, 'reads as a sentence');
});

test('common words alone or punctuation alone get a friendly hint, not the whole library; with another word they are ignored', async () => {
  for (const [query, hint] of [['the', /in nearly every article: add a word/], ['The and of', /in nearly every article/], ['?!…', /Type a word to search for/]] as const) {
    const reply = await h.news('search', { query });
    assert.equal(reply.ephemeral, true, query);
    assert.match(shown(reply).content!, hint);
  }
  const withWord = shown(await h.news('search', { query: 'the rocket' }));
  assert.equal(withWord.embeds![0]!.footer!.text, shown(await h.news('search', { query: 'rocket' })).embeds![0]!.footer!.text);
});

test('a topic or outlet that does not exist gets a clear answer, not an empty page', async () => {
  const topic = await h.news('search', { topic: 'Quantum gardening' });
  assert.equal(topic.ephemeral, true);
  assert.match(shown(topic).content!, /no topic called “Quantum gardening”.*\/news topics/);
  const outlet = await h.news('latest', { topic: '%%%' });
  assert.match(shown(outlet).content!, /no topic called “%%%”/);
  const provider = await h.news('search', { provider: 'nowhere.example' });
  assert.match(shown(provider).content!, /no outlet called “nowhere\.example”/);
});

test('article text cannot format, link or ping: it is escaped, and no message parses mentions', async () => {
  const reply = await h.news('search', { query: 'breaking' });
  const description = shown(reply).embeds![0]!.description!;
  assert.ok(HOSTILE_TITLE.includes('**Breaking**'));
  assert.match(description, /\\\*\\\*Breaking\\\*\\\*/, 'bold markers escaped');
  assert.match(description, /\\\[click me\\\]/, 'the masked link is shown as text');
  assert.doesNotMatch(description, /\[click me\]\(https:\/\/evil/);
  assert.deepEqual(shown(reply).allowed_mentions, { parse: [] });
});

test('/news latest lists the newest published articles first, optionally on one topic', async () => {
  const latest = await h.news('latest');
  const message = shown(latest);
  assert.match(message.embeds![0]!.title!, /^Latest news/);
  assert.match(entries(message)[0]!, /Rocket engine test 1 .*\n.*1 h ago/);
  assert.match(entries(message)[1]!, /Rocket engine test 2 /, 'the unpublished article of 2 h ago is left out');
  const economy = await h.news('latest', { topic: 'Economy' });
  assert.deepEqual(entries(shown(economy)).map((e) => /\[([^\]]+)\]/.exec(e)?.[1]), ['Inflation eases', 'Central bank holds rate', 'Markets rally on jobs data', 'Retail sales climb']);
});

test('/news topics and /news providers rank by coverage with counts', async () => {
  const topics = shown(await h.news('topics')).embeds![0]!.description!.split('\n');
  assert.match(topics[0]!, /^\*\*1\.\*\* Space — 13 articles$/);
  assert.match(topics[1]!, /^\*\*2\.\*\* Economy — 4 articles$/);
  const providers = shown(await h.news('providers')).embeds![0]!.description!;
  assert.match(providers, /Star Wire \(starwire\.example\.net\) — 5 articles/);
  assert.match(providers, /Market Watchers \(markets\.example\.com\) — 4 articles/);
  // The count a member reads is what a search finds: the unpublished rumour on Space is in neither.
  assert.match(shown(await h.news('search', { topic: 'Space' })).embeds![0]!.footer!.text, /· 13 articles$/);
});

test('autocomplete answers within Discord\'s limits, leaving out a topic too long to be a value', async () => {
  const all = (await h.sandbox.driver.autocomplete('news', { name: 'topic', value: '' }, { subcommand: 'search' })).choices;
  assert.ok(all.length > 0 && all.length <= AUTOCOMPLETE_CHOICES_MAX);
  assert.equal(all[0]!.value, 'Space');
  assert.match(all[0]!.name, /^Space \(13 articles\)$/);
  assert.ok(!all.some((c) => c.value === LONG_TOPIC), 'a value over 100 characters would make Discord drop the answer');
  const spa = (await h.sandbox.driver.autocomplete('news', { name: 'topic', value: 'spa' }, { subcommand: 'latest' })).choices;
  assert.deepEqual(spa.map((c) => c.value), ['Space']);
  const accents = (await h.sandbox.driver.autocomplete('news', { name: 'topic', value: 'econ' }, { subcommand: 'search' })).choices;
  assert.deepEqual(accents.map((c) => c.value).sort(), ['Economy', 'Économie']);
  const outlets = (await h.sandbox.driver.autocomplete('news', { name: 'provider', value: 'star' }, { subcommand: 'search' })).choices;
  assert.deepEqual(outlets, [{ name: 'Star Wire — starwire.example.net (5 articles)', value: 'starwire.example.net' }]);
});

test('autocomplete never fails on odd input', async () => {
  const odd = ['(((', '\\', '.*', '🚀'.repeat(50), 'x'.repeat(100), '\u0000\u202e', '   ', '%'];
  for (const value of odd) {
    for (const [command, option, subcommand] of [['news', 'topic', 'search'], ['news', 'provider', 'search'], ['digest', 'timezone', 'setup']] as const) {
      const { choices } = await h.sandbox.driver.autocomplete(command, { name: option, value }, { subcommand });
      assert.ok(Array.isArray(choices) && choices.length <= AUTOCOMPLETE_CHOICES_MAX, `${command} ${option} "${value}"`);
      for (const c of choices) assert.ok(c.name.length >= 1 && c.name.length <= AUTOCOMPLETE_CHOICE_NAME_MAX && String(c.value).length <= AUTOCOMPLETE_CHOICE_VALUE_MAX);
    }
  }
});

test('a button the bot does not know, or one tampered with, gets a clear ephemeral answer', async () => {
  const rest = h.bot.client.rest;
  const posted = (await rest.post(Routes.channelMessages(h.sandbox.channels.general), {
    body: {
      content: 'A message from an older version of the bot',
      allowed_mentions: { parse: [] },
      components: [{
        type: ComponentType.ActionRow,
        components: [
          { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Old', custom_id: 'page:2' },
          { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Forged', custom_id: `nd1:s:${h.sandbox.members.admin.id}:zzzzz:0:::x` },
        ],
      }],
    },
  })) as { id: string };
  const old = await h.sandbox.driver.click(posted, 'page:2');
  assert.equal(old.ephemeral, true);
  assert.match(shown(old).content!, /not one I recognise/);
  const forged = await h.sandbox.driver.click(posted, `nd1:s:${h.sandbox.members.admin.id}:zzzzz:0:::x`);
  assert.equal(forged.ephemeral, true);
  assert.match(shown(forged).content!, /no longer works.*\/news search/);
});

test('/help lists every command, only to the member who asked', async () => {
  const reply = await h.sandbox.driver.command('help');
  assert.equal(reply.ephemeral, true);
  assert.equal((shown(reply).flags ?? 0) & MessageFlags.Ephemeral, MessageFlags.Ephemeral);
  const text = JSON.stringify(shown(reply).embeds);
  for (const usage of ['/news search [query] [topic] [provider] [days]', '/news latest [topic]', '/news topics', '/news providers', '/digest preview',
    '/digest setup channel time timezone [options…]', '/digest edit digest [options…]', '/digest now [digest] [channel] [force]', '/digest status', '/help', 'scored 0 to 213']) {
    assert.ok(text.includes(usage), usage);
  }
});

test('a command still registered from an older version is answered, not left "not responding"', async () => {
  const stale = [...commandDefinitions(), { name: 'weather', description: 'Removed in this version' }];
  await deployCommands(h.bot.client.rest, h.sandbox.applicationId, stale, h.sandbox.guild.id);
  try {
    const reply = await h.sandbox.driver.command('weather');
    assert.equal(reply.ephemeral, true);
    assert.match(shown(reply).content!, /do not know this command.*\/help/);
  } finally {
    await deployCommands(h.bot.client.rest, h.sandbox.applicationId, commandDefinitions(), h.sandbox.guild.id);
  }
  await assert.rejects(h.sandbox.driver.command('weather'), RefusedByClient, 'gone once the commands are deployed again');
});

test('every body the bot sent was accepted and matches Discord\'s OpenAPI description; no unknown route', { skip: openApiSkip }, () => {
  assert.deepEqual(h.sandbox.requests.filter((r) => r.status >= 400).map((r) => `${r.method} ${r.path} ${r.status}`), []);
  assert.deepEqual(recordedBodyProblems(h.sandbox.requests), []);
  assert.equal(h.sandbox.unknownRoutes, 0);
});

test('the token never reaches the log', () => {
  assert.ok(h.logs.length > 0);
  assert.ok(!h.rawLogs().includes(h.sandbox.token));
});
