import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { APIEmbed } from 'discord.js';
import { MESSAGE_EMBED_TEXT_MAX, MESSAGE_EMBEDS_MAX } from '../src/discord/limits.js';
import type { Story } from '../src/digest/choose.js';
import { digestMessages } from '../src/digest/messages.js';
import { embedTextLength, packInOrder } from '../src/digest/pack.js';
import { openApiProblems, openApiSkip } from './helpers/openapi.js';
import { NOW, article, coverage, outlet } from './fixtures/digest/articles.js';

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
