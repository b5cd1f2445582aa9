import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { APIEmbed } from 'discord.js';
import { MESSAGE_EMBED_TEXT_MAX, MESSAGE_EMBEDS_MAX } from '../src/discord/limits.js';
import type { Story } from '../src/digest/choose.js';
import { DIGEST_LAYOUTS, IMAGE_SIZES, type DigestLayout, type ImageSize } from '../src/digest/layout.js';
import { digestMessages, type MessagePayload } from '../src/digest/messages.js';
import { embedTextLength, packInOrder } from '../src/digest/pack.js';
import { openApiProblems, openApiSkip } from './helpers/openapi.js';
import { NOW, article, coverage, outlet } from './fixtures/digest/articles.js';
import { layoutOf, linkProblems, linkTargets, markdownOf, storiesShown } from './fixtures/digest/layouts.js';
import { limitProblems } from './fixtures/digest/limits.js';

const ROLE = '123456789012345678';

function storyOf(slug: string, relatedCount = 0): Story {
  const related = Array.from({ length: relatedCount }, (_, i) =>
    coverage(`https://o${i}.example.org/${slug}/${'long-path-segment-'.repeat(3)}`, outlet(`o${i}.example.org`, `Outlet number ${i}`), 90 - i, `Another outlet's rather long take on ${slug}, part ${i}`),
  );
  const words = Array.from({ length: 80 }, (_, i) => `${slug}${i}`).join(' ');
  return { lead: article(slug, { title: `${words} `.repeat(4), excerpt: words, related }), related, urls: [] };
}

const textOf = (title: string): APIEmbed => ({ title });

test('packing: ten embeds fill a message, the eleventh starts the next one', () => {
  const embeds = Array.from({ length: MESSAGE_EMBEDS_MAX + 1 }, (_, i) => textOf(`story ${i}`));
  const groups = packInOrder(embeds, (e) => e);
  assert.deepEqual(groups.map((g) => g.length), [MESSAGE_EMBEDS_MAX, 1]);
  assert.deepEqual(groups.flat(), embeds, 'in order, nothing lost');
});

test('packing: embed text of exactly 6,000 characters fits one message, one more character splits it', () => {
  const exact = [textOf('a'.repeat(2000)), textOf('b'.repeat(2000)), { description: 'c'.repeat(1000), author: { name: 'd'.repeat(500) }, footer: { text: 'e'.repeat(400) }, fields: [{ name: 'f'.repeat(40), value: 'g'.repeat(60) }] }];
  assert.equal(exact.map(embedTextLength).reduce((a, b) => a + b), MESSAGE_EMBED_TEXT_MAX);
  assert.deepEqual(packInOrder(exact, (e) => e).map((g) => g.length), [3]);
  const over = [...exact.slice(0, 2), { ...exact[2]!, footer: { text: 'e'.repeat(401) } }];
  assert.deepEqual(packInOrder(over, (e) => e).map((g) => g.length), [2, 1]);
  assert.throws(() => packInOrder([textOf('x'.repeat(MESSAGE_EMBED_TEXT_MAX + 1))], (e) => e), RangeError);
});

test('a digest of ten large stories is split across messages in rank order, every message within the limits', { skip: openApiSkip }, () => {
  const stories = Array.from({ length: 10 }, (_, i) => storyOf(`s${i}`, 30));
  const { payloads, storiesPerMessage } = digestMessages(stories, { now: NOW, timezone: 'UTC' });
  assert.ok(payloads.length > 1, 'ten large stories need more than one message');
  assert.deepEqual(storiesPerMessage.flat(), stories);
  payloads.forEach((payload, i) => {
    assert.equal(payload.embeds.length, storiesPerMessage[i]!.length);
    assert.ok(payload.embeds.length <= MESSAGE_EMBEDS_MAX);
    assert.ok(payload.embeds.map(embedTextLength).reduce((a, b) => a + b) <= MESSAGE_EMBED_TEXT_MAX);
    assert.deepEqual(openApiProblems('MessageCreateRequest', payload), []);
  });
  // Every story's related list stays visible as listed outlets plus "and N more".
  assert.ok(payloads.flatMap((p) => p.embeds).every((e) => /\nand \d+ more$/.test(e.fields?.[0]?.value ?? '')));
});

test('the heading names the digest and the date in the channel\u2019s time zone, in the first message only', () => {
  const late = new Date('2026-11-26T23:30:00Z');
  const stories = Array.from({ length: 10 }, (_, i) => storyOf(`h${i}`, 30));
  const utc = digestMessages(stories, { now: late, timezone: 'UTC' });
  assert.equal(utc.payloads[0]!.content, '**Daily digest — Thursday, 26 November**');
  assert.ok(utc.payloads.slice(1).every((p) => p.content === undefined));
  const tokyo = digestMessages(stories.slice(0, 1), { now: late, timezone: 'Asia/Tokyo', title: 'Morning *news*' });
  assert.equal(tokyo.payloads[0]!.content, '**Morning \\*news\\* — Friday, 27 November**');
});

test('mentions: nothing is parsed, and an opted-in role is pinged by the first message only', () => {
  const stories = Array.from({ length: 10 }, (_, i) => storyOf(`m${i}`, 30));
  const plain = digestMessages(stories, { now: NOW, timezone: 'UTC' });
  assert.ok(plain.payloads.every((p) => p.allowed_mentions.parse.length === 0 && p.allowed_mentions.roles === undefined));
  const pinged = digestMessages(stories, { now: NOW, timezone: 'UTC', mentionRoleId: ROLE });
  assert.match(pinged.payloads[0]!.content!, new RegExp(`^<@&${ROLE}> \\*\\*Daily digest`));
  assert.deepEqual(pinged.payloads[0]!.allowed_mentions, { parse: [], roles: [ROLE] });
  assert.ok(pinged.payloads.slice(1).every((p) => p.allowed_mentions.roles === undefined && p.content === undefined));
  assert.throws(() => digestMessages(stories, { now: NOW, timezone: 'UTC', mentionRoleId: '@everyone' }), RangeError);
});

test('no story, no message', () => {
  assert.deepEqual(digestMessages([], { now: NOW, timezone: 'UTC' }), { payloads: [], storiesPerMessage: [] });
});

// The layouts, as a member sees them.

const RATES = article('rates', {
  title: 'Central bank holds rates',
  provider: { name: 'Example Times', domain: 'times.example.com', iconUrl: null },
  related: [coverage('https://wire.example.net/rates', outlet('wire.example.net', 'Example Wire')), coverage('https://post.example.org/rates', outlet('post.example.org', 'Example Post'))],
});
const rates: Story = { lead: RATES, related: RATES.related, urls: [] };
const plain = (slug: string): Story => ({ lead: article(slug), related: [], urls: [] });
const unix = (story: Story) => story.lead.publishedAt.getTime() / 1000;
const HEADING = '**Daily digest — Thursday, 26 November**';

test('every layout and picture size is accepted by name, and anything else is refused naming the choices', () => {
  for (const layout of DIGEST_LAYOUTS) for (const images of IMAGE_SIZES) assert.equal(digestMessages([rates], { now: NOW, timezone: 'UTC', layout, images }).payloads.length, 1);
  assert.throws(() => digestMessages([rates], { now: NOW, timezone: 'UTC', layout: 'grid' as DigestLayout }), /layout must be one of cards, compact, headlines, not grid/);
  assert.throws(() => digestMessages([rates], { now: NOW, timezone: 'UTC', images: 'huge' as ImageSize }), /images must be one of large, thumbnail, none, not huge/);
});

test('cards: an embed per story, its picture large by default, as a thumbnail or left out when chosen', () => {
  const stories = [rates, plain('b')];
  const picture = (images?: ImageSize) => digestMessages(stories, { now: NOW, timezone: 'UTC', ...(images && { images }) }).payloads[0]!.embeds.map((e) => [e.image?.url, e.thumbnail?.url]);
  assert.deepEqual(picture(), [['https://images.example.com/rates.jpg', undefined], ['https://images.example.com/b.jpg', undefined]]);
  assert.deepEqual(picture('large'), picture());
  assert.deepEqual(picture('thumbnail'), [[undefined, 'https://images.example.com/rates.jpg'], [undefined, 'https://images.example.com/b.jpg']]);
  assert.deepEqual(picture('none'), [[undefined, undefined], [undefined, undefined]]);
});

test('compact: one embed, a line per story with its linked title, outlet, Discord timestamp and the other outlets', () => {
  const stories = [rates, plain('b'), plain('c')];
  const { payloads, storiesPerMessage } = digestMessages(stories, { now: NOW, timezone: 'UTC', layout: 'compact', images: 'thumbnail' });
  assert.equal(payloads.length, 1);
  assert.equal(payloads[0]!.content, HEADING);
  assert.equal(payloads[0]!.embeds.length, 1);
  const [embed] = payloads[0]!.embeds;
  assert.equal(embed!.description, [
    `• [Central bank holds rates](https://news.example.com/rates) — Example Times <t:${unix(rates)}:R> · also: Example Wire, Example Post`,
    `• [Story b](https://news.example.com/b) — Example News <t:${unix(stories[1]!)}:R>`,
    `• [Story c](https://news.example.com/c) — Example News <t:${unix(stories[2]!)}:R>`,
  ].join('\n'));
  assert.deepEqual(embed!.thumbnail, { url: 'https://images.example.com/rates.jpg' }, 'the first story\u2019s picture');
  assert.deepEqual(storiesPerMessage, [stories]);
  const large = digestMessages(stories, { now: NOW, timezone: 'UTC', layout: 'compact' }).payloads[0]!.embeds[0]!;
  assert.deepEqual([large.image, large.thumbnail], [{ url: 'https://images.example.com/rates.jpg' }, undefined]);
  const none = digestMessages(stories, { now: NOW, timezone: 'UTC', layout: 'compact', images: 'none' }).payloads[0]!.embeds[0]!;
  assert.deepEqual([none.image, none.thumbnail], [undefined, undefined]);
});

test('compact: a long list of other outlets is shortened to a few names and a count', () => {
  const related = Array.from({ length: 30 }, (_, i) => coverage(`https://o${i}.example.org/x`, outlet(`o${i}.example.org`, `Outlet number ${i}`)));
  const story: Story = { lead: article('wide', { related }), related, urls: [] };
  const line = digestMessages([story], { now: NOW, timezone: 'UTC', layout: 'compact' }).payloads[0]!.embeds[0]!.description!;
  const also = /· also: (.+) and (\d+) more$/.exec(line);
  assert.ok(also, line);
  assert.equal(also[1]!.split(', ').length + Number(also[2]), 30, 'every other outlet is named or counted');
  assert.ok(also[0].length < 120, `${also[0].length}`);
});

test('headlines: no embed, a plain line per story whose link shows no preview, under the heading', () => {
  const stories = [rates, plain('b')];
  const { payloads, storiesPerMessage } = digestMessages(stories, { now: NOW, timezone: 'UTC', layout: 'headlines', images: 'large' });
  assert.deepEqual(payloads, [{
    content: [
      HEADING,
      `• [Central bank holds rates](<https://news.example.com/rates>) — Example Times <t:${unix(rates)}:R>`,
      `• [Story b](<https://news.example.com/b>) — Example News <t:${unix(stories[1]!)}:R>`,
    ].join('\n'),
    embeds: [],
    allowed_mentions: { parse: [] },
  }]);
  assert.deepEqual(storiesPerMessage, [stories]);
});

const linksOf = (payload: MessagePayload) => [...linkTargets(payload), ...payload.embeds.flatMap((e) => e.url ?? [])];

/** Checks what a member would notice in `layout`: each message within limits, showing exactly the stories recorded for it. */
function assertDelivered(stories: Story[], result: ReturnType<typeof digestMessages>, layout: DigestLayout): void {
  const context = layout;
  const { payloads, storiesPerMessage } = result;
  assert.deepEqual(storiesPerMessage.flat(), stories, `${context}: every story, once, in rank order`);
  payloads.forEach((payload, i) => {
    const where = `${context}, message ${i + 1}`;
    assert.deepEqual([...limitProblems(payload), ...linkProblems(payload)], [], where);
    if (!openApiSkip) assert.deepEqual(openApiProblems('MessageCreateRequest', payload), [], where);
    assert.equal(layoutOf(payload), layout, where);
    assert.ok(storiesPerMessage[i]!.length > 0, `${where} carries no story`);
    assert.equal(storiesShown(payload), storiesPerMessage[i]!.length, `${where} shows the stories recorded for it`);
  });
  // A story's link is in the message that records it and in no other: a story is never split or shown twice.
  for (const story of stories) {
    const showing = payloads.flatMap((payload, i) => (linksOf(payload).includes(story.lead.url) ? [i] : []));
    const recording = storiesPerMessage.findIndex((listed) => listed.includes(story));
    if (showing.length > 0) assert.deepEqual(showing, [recording], `${context}: ${story.lead.url.slice(0, 60)}`);
  }
}

const HOSTILE_TITLES = [
  '**Breaking** _news_ ~~now~~ ||spoiler|| `code` > quote',
  '@everyone @here <@&123456789012345678> <@123456789012345678> <#123456789012345678> </news search:123456789012345678> <t:0:R>',
  '[click me](javascript:alert(1))',
  'Harmless](javascript:alert(document.cookie)) [x](https://evil.example.com)',
  `A very long title ${'word '.repeat(1000)}`,
  'Sp\u2060ace\u200b news \u202eeulb\u202c \u00ad\u2066 and \u0000 control',
];

test('hostile titles cannot ping, link elsewhere, format or overflow, in any layout', () => {
  const stories = HOSTILE_TITLES.map((title, i): Story => ({ lead: article(`hostile${i}`, { title }), related: [], urls: [] }));
  for (const layout of DIGEST_LAYOUTS) {
    const result = digestMessages(stories, { now: NOW, timezone: 'UTC', layout });
    assertDelivered(stories, result, layout);
    const texts = result.payloads.flatMap((p) => [...markdownOf(p), ...p.embeds.map((e) => e.title ?? '')]).join('\n');
    // Only the stories' own links are clickable; "](javascript:" stays text.
    assert.deepEqual(result.payloads.flatMap(linkTargets).filter((url) => !url.startsWith('https://news.example.com/')), [], layout);
    for (const hidden of ['\u2060', '\u200b', '\u202e', '\u202c', '\u00ad', '\u2066', '\u0000']) assert.ok(!texts.includes(hidden), `${layout}: invisible characters are removed`);
    assert.match(texts, /Space news eulb/, layout);
    assert.ok(texts.includes('…'), `${layout}: the long title is shortened visibly`);
    if (layout === 'cards') continue;
    // In a line, a title is rendered markdown: nothing in it may format, mention or show a timestamp of its own.
    const lines = result.payloads.flatMap(markdownOf).join('\n').split('\n').filter((l) => l.startsWith('• '));
    assert.equal(lines.length, stories.length);
    for (const line of lines) {
      const title = line.slice(3, line.indexOf('](') > 0 ? line.indexOf('](') : undefined);
      assert.doesNotMatch(title, /(?<!\\)[*_~|`<@]/, `${layout}: unescaped markdown or mention in ${title}`);
      assert.equal([...line.matchAll(/(?<!\\)<t:/g)].length, 1, `${layout}: only the story's own timestamp in ${line}`);
      assert.ok(line.length < 400, `${layout}: a line of ${line.length} characters`);
    }
  }
});

test('stories with very long links take several messages, never splitting a story, the heading and mention first', () => {
  const stories = Array.from({ length: 10 }, (_, i): Story => {
    const { lead, related } = storyOf(`long${i}`, 30);
    return { lead: { ...lead, url: `https://news.example.com/${`${i}-segment/`.repeat(150)}` }, related, urls: [] };
  });
  for (const layout of DIGEST_LAYOUTS) {
    const result = digestMessages(stories, { now: NOW, timezone: 'UTC', layout, mentionRoleId: ROLE });
    assert.ok(result.payloads.length > 1, `${layout}: ${result.payloads.length} message`);
    assertDelivered(stories, result, layout);
    assert.match(result.payloads[0]!.content!, new RegExp(`^<@&${ROLE}> \\*\\*Daily digest`));
    assert.deepEqual(result.payloads[0]!.allowed_mentions, { parse: [], roles: [ROLE] });
    for (const later of result.payloads.slice(1)) {
      assert.deepEqual(later.allowed_mentions, { parse: [] });
      assert.doesNotMatch(later.content ?? '', /Daily digest|<@&/);
    }
  }
});

test('headlines: a link too long for a message is left off its story, which is still posted', () => {
  const lead = article('huge', { url: `https://news.example.com/${'x'.repeat(1900)}`, title: 'Too long to link' });
  const stories: Story[] = [{ lead, related: [], urls: [] }, plain('short')];
  const result = digestMessages(stories, { now: NOW, timezone: 'UTC', layout: 'headlines' });
  assertDelivered(stories, result, 'headlines');
  assert.match(result.payloads[0]!.content!, /\n• Too long to link — Example News <t:\d+:R>\n• \[Story short\]/);
});
