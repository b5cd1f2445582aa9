import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { APIEmbed } from 'discord.js';
import { EMBED_FIELD_VALUE_MAX, EMBED_TITLE_MAX } from '../src/discord/limits.js';
import type { Story } from '../src/digest/choose.js';
import { EMBED_URL_MAX } from '../src/discord/limits.js';
import { EXCERPT_MAX, storyEmbed } from '../src/digest/embed.js';
import type { Article, RelatedCoverage } from '../src/articles/types.js';
import { openApiProblems, openApiSkip } from './helpers/openapi.js';
import { article, coverage, outlet } from './fixtures/digest/articles.js';

function storyOf(lead: Article, related: RelatedCoverage[] = lead.related): Story {
  return { lead, related, urls: [lead.url, ...related.map((c) => c.url)] };
}

function relatedValue(embed: APIEmbed): string {
  const field = embed.fields?.find((f) => f.name === 'Related coverage');
  assert.ok(field, 'expected a related coverage field');
  return field.value;
}

test('a story embed links the title, names the outlet with its icon, shows the picture, related outlets, topics and time', () => {
  const lead = article('rates', {
    title: 'Central bank holds rates',
    excerpt: 'The bank kept its main rate at 4%.',
    provider: { name: 'Example Times', domain: 'times.example.com', iconUrl: 'https://times.example.com/favicon.png' },
    topics: ['Economy', 'Banking'],
    publishedAt: new Date('2026-11-26T06:15:00Z'),
  });
  const related = [coverage('https://wire.example.net/rates', outlet('wire.example.net', 'Example Wire'), 90, 'Rates unchanged')];
  const embed = storyEmbed(storyOf(lead, related));
  assert.equal(embed.title, 'Central bank holds rates');
  assert.equal(embed.url, 'https://news.example.com/rates');
  assert.equal(embed.description, 'The bank kept its main rate at 4%.');
  assert.deepEqual(embed.author, { name: 'Example Times', url: 'https://times.example.com/', icon_url: 'https://times.example.com/favicon.png' });
  assert.deepEqual(embed.image, { url: 'https://images.example.com/rates.jpg' });
  assert.equal(relatedValue(embed), '[Rates unchanged](https://wire.example.net/rates) — Example Wire');
  assert.deepEqual(embed.footer, { text: 'Economy · Banking' });
  assert.equal(embed.timestamp, '2026-11-26T06:15:00.000Z');
  assert.equal(typeof embed.color, 'number');
  // The same topic keeps the same colour from one story to the next.
  assert.equal(storyEmbed(storyOf(article('other', { topics: ['Economy'] }))).color, embed.color);
});

test('article text cannot format the embed or forge links: markdown in titles and related titles is escaped', () => {
  const lead = article('md', {
    title: '**Breaking** _news_ [click](https://evil.example.com)',
    excerpt: 'Join `now` at ||spoiler||',
    related: [coverage('https://a.example.org/x', outlet('a.example.org', 'A*B'), 50, '[fake](https://evil.example.com)')],
  });
  const embed = storyEmbed(storyOf(lead));
  assert.equal(embed.title, '\\*\\*Breaking\\*\\* \\_news\\_ \\[click\\](https://evil.example.com)');
  assert.equal(embed.description, 'Join \\`now\\` at \\|\\|spoiler\\|\\|');
  assert.equal(relatedValue(embed), '[\\[fake\\](https://evil.example.com)](https://a.example.org/x) — A\\*B');
});

test('long titles and excerpts are shortened on a word boundary and marked with an ellipsis', () => {
  const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
  const embed = storyEmbed(storyOf(article('long', { title: words, excerpt: words })));
  for (const [text, max] of [[embed.title!, EMBED_TITLE_MAX], [embed.description!, EXCERPT_MAX]] as const) {
    assert.ok(text.length <= max, `${text.length} > ${max}`);
    assert.ok(text.endsWith('…'));
    const kept = text.slice(0, -1);
    assert.ok(words.startsWith(kept), 'the kept text is the start of the original');
    assert.equal(words[kept.length], ' ', 'the cut falls between two words');
  }
});

test('a long related list stays within the field limit, best outlets first, and says how many more there are', () => {
  const related = Array.from({ length: 40 }, (_, i) =>
    coverage(`https://outlet${i}.example.org/${'story-'.repeat(8)}${i}`, outlet(`outlet${i}.example.org`, `Outlet ${i}`), 100 - i, `A rather long headline about the story, number ${i}`),
  );
  const value = relatedValue(storyEmbed(storyOf(article('big'), related)));
  assert.ok(value.length <= EMBED_FIELD_VALUE_MAX, `${value.length}`);
  const lines = value.split('\n');
  const more = /^and (\d+) more$/.exec(lines.at(-1)!);
  assert.ok(more, `last line: ${lines.at(-1)}`);
  const listed = lines.slice(0, -1);
  assert.equal(listed.length + Number(more[1]), 40, 'every outlet is listed or counted');
  assert.match(listed[0]!, /— Outlet 0$/);
  assert.match(listed.at(-1)!, new RegExp(`— Outlet ${listed.length - 1}$`));
});

test('invalid image, icon or related links are dropped; odd but valid URLs are encoded as Discord requires', () => {
  const lead = article('urls', {
    url: 'https://news.example.com/a|b?q=[1]',
    image: { url: 'http://exa mple.com/x.jpg', width: null, height: null },
    provider: { name: 'Odd', domain: 'odd.example.com', iconUrl: 'javascript:alert(1)' },
    related: [
      coverage('ftp://files.example.org/x', outlet('files.example.org')),
      coverage(`https://long.example.org/${'x'.repeat(EMBED_URL_MAX)}`, outlet('long.example.org')),
      coverage('https://good.example.org/story_(update)', outlet('good.example.org', 'Good'), 50, 'Live update'),
    ],
  });
  const embed = storyEmbed(storyOf(lead));
  assert.equal(embed.url, 'https://news.example.com/a%7Cb?q=%5B1%5D');
  assert.equal(embed.image, undefined);
  assert.equal(embed.author?.icon_url, undefined);
  assert.equal(relatedValue(embed), '[Live update](https://good.example.org/story_%28update%29) — Good');
});

test('a story embed with hostile text everywhere is still a valid Discord embed', { skip: openApiSkip }, () => {
  const hostile = '\u0000\u202e' + '*_~`|<>[]()\\'.repeat(60) + ' @everyone <@&123456789012345678>';
  const lead = article('hostile', {
    title: hostile,
    excerpt: hostile.repeat(20),
    topics: Array.from({ length: 50 }, () => hostile),
    provider: { name: hostile, domain: 'hostile.example.com', iconUrl: null },
    related: Array.from({ length: 60 }, (_, i) => coverage(`https://r${i}.example.org/${encodeURIComponent(hostile)}`, { name: hostile, domain: `r${i}.example.org`, iconUrl: null }, i, hostile)),
  });
  const problems = openApiProblems('MessageCreateRequest', { embeds: [storyEmbed(storyOf(lead))], allowed_mentions: { parse: [] } });
  assert.deepEqual(problems, []);
});
