import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Article } from '../src/articles/types.js';
import { chooseDigest, type DigestChoice, type Story } from '../src/digest/choose.js';
import { DEFAULT_DIGEST_SETTINGS, type DigestSettings } from '../src/digest/settings.js';
import { NOW, article, coverage, hoursAgo, outlet, urlOf } from './fixtures/digest/articles.js';

interface Run {
  articles: readonly Article[];
  settings?: Partial<DigestSettings>;
  lastDigestAt?: Date | null;
  seen?: ReadonlySet<string>;
  now?: Date;
  eligibleAt?: ReadonlyMap<string, number>;
  maxAgeHours?: number;
}

function choose(run: Run): DigestChoice {
  return chooseDigest({
    articles: run.articles,
    now: run.now ?? NOW,
    settings: { ...DEFAULT_DIGEST_SETTINGS, ...run.settings },
    lastDigestAt: run.lastDigestAt ?? null,
    seen: run.seen ?? new Set(),
    eligibleAt: run.eligibleAt,
    maxAgeHours: run.maxAgeHours,
  });
}

function stories(run: Run): Story[] {
  const choice = choose(run);
  assert.ok(choice.ok, `expected a digest, got: ${choice.ok ? '' : choice.detail}`);
  return choice.stories;
}

const leads = (run: Run): string[] => stories(run).map((s) => s.lead.id);

// Each article from its own outlet, so that the per-outlet cap stays out of tests about something else.
function solo(slug: string, fields: Partial<Article> = {}): Article {
  return article(slug, { provider: outlet(`${slug}.example.org`), ...fields });
}

test('stories are ranked by quality, then heat, then recency', () => {
  const articles = [
    solo('older-hotter', { quality: 90, heat: 200, publishedAt: hoursAgo(5) }),
    solo('best', { quality: 150, heat: 10 }),
    solo('newer-hotter', { quality: 90, heat: 200, publishedAt: hoursAgo(2) }),
    solo('cooler', { quality: 90, heat: 120 }),
    solo('unscored', { quality: null, heat: null }),
  ];
  assert.deepEqual(leads({ articles }), ['best', 'newer-hotter', 'older-hotter', 'cooler', 'unscored']);
});

test('ties are broken the same way whatever order the library lists the articles in', () => {
  const articles = ['c', 'a', 'd', 'b', 'e', 'f'].map((s) => solo(s));
  const expected = leads({ articles, settings: { size: 6 } });
  assert.deepEqual(leads({ articles: [...articles].reverse(), settings: { size: 6 } }), expected);
  assert.deepEqual(expected, ['a', 'b', 'c', 'd', 'e', 'f']);
});

test('the default window reaches back to the previous digest, for stories published at most 48 h ago', () => {
  const articles = [
    solo('an-hour-ago', { publishedAt: hoursAgo(1) }),
    solo('five-hours-ago', { publishedAt: hoursAgo(5) }),
    solo('yesterday-morning', { publishedAt: hoursAgo(23) }),
    solo('three-days-ago', { publishedAt: hoursAgo(72) }),
  ];
  assert.deepEqual(leads({ articles }).sort(), ['an-hour-ago', 'five-hours-ago', 'yesterday-morning']);
  assert.deepEqual(leads({ articles, lastDigestAt: hoursAgo(3) }), ['an-hour-ago']);
  // A previous digest a week ago does not make the window a week long; a weekly digest's reaches 8 days.
  assert.deepEqual(leads({ articles, lastDigestAt: hoursAgo(24 * 7) }).sort(), ['an-hour-ago', 'five-hours-ago', 'yesterday-morning']);
  assert.deepEqual(leads({ articles, lastDigestAt: hoursAgo(24 * 7), maxAgeHours: 8 * 24 }).sort(), ['an-hour-ago', 'five-hours-ago', 'three-days-ago', 'yesterday-morning']);
});

test('a story that became eligible after the previous digest is taken, however old its publication time', () => {
  // Published three hours ago, but its file (or its published flag) appeared only after the digest an hour ago.
  const late = solo('late-file', { publishedAt: hoursAgo(3) });
  const early = solo('seen-before', { publishedAt: hoursAgo(2) });
  const eligibleAt = new Map([[late.url, hoursAgo(0.5).getTime()], [early.url, hoursAgo(1.5).getTime()]]);
  assert.deepEqual(leads({ articles: [late, early], lastDigestAt: hoursAgo(1), eligibleAt }), ['late-file']);
  // Without eligibility (the old rule: publication time after the previous digest) the late file is lost.
  assert.equal(choose({ articles: [late, early], lastDigestAt: hoursAgo(1) }).ok, false);
  // Still bounded by the maximum age: a file from last week turning up now is not news.
  const stale = solo('stale', { publishedAt: hoursAgo(24 * 7) });
  assert.equal(choose({ articles: [stale], lastDigestAt: hoursAgo(1), eligibleAt: new Map([[stale.url, NOW.getTime()]]) }).ok, false);
});

test('a window of hours, days or all; unpublished and future-dated articles never count', () => {
  const articles = [
    solo('today', { publishedAt: hoursAgo(2) }),
    solo('three-days-ago', { publishedAt: hoursAgo(72) }),
    solo('last-year', { publishedAt: hoursAgo(24 * 365) }),
    solo('hidden', { published: false, quality: 200 }),
    solo('tomorrow', { publishedAt: hoursAgo(-24), quality: 200 }),
  ];
  assert.deepEqual(leads({ articles, settings: { window: { kind: 'hours', hours: 12 } } }), ['today']);
  assert.deepEqual(leads({ articles, settings: { window: { kind: 'hours', hours: 24 * 7 } } }).sort(), ['three-days-ago', 'today']);
  assert.deepEqual(leads({ articles, settings: { window: { kind: 'all' } } }).sort(), ['last-year', 'three-days-ago', 'today']);
});

test('topic filters ignore case and accents; outlets match by domain, subdomain or name, and can be excluded', () => {
  const articles = [
    solo('eco', { topics: ['Économie'], provider: outlet('news.lemonde.example', 'Le Monde') }),
    solo('sci', { topics: ['Science'], provider: outlet('bbc.example', 'BBC News') }),
    solo('tech', { topics: ['Technology', 'Science'], provider: outlet('www.verge.example', 'The Verge') }),
  ];
  assert.deepEqual(leads({ articles, settings: { topics: ['economie'] } }), ['eco']);
  assert.deepEqual(leads({ articles, settings: { topics: ['SCIENCE'] } }).sort(), ['sci', 'tech']);
  assert.deepEqual(leads({ articles, settings: { providers: ['lemonde.example'] } }), ['eco']);
  assert.deepEqual(leads({ articles, settings: { providers: ['www.verge.example'] } }), ['tech']);
  assert.deepEqual(leads({ articles, settings: { providers: ['bbc news'] } }), ['sci']);
  assert.deepEqual(leads({ articles, settings: { excludeProviders: ['The Verge', 'bbc.example'] } }), ['eco']);
});

test('minimum quality leaves out low and unscored articles; keywords match whole words in title or excerpt', () => {
  const articles = [
    solo('high', { quality: 150, title: 'Rates held steady' }),
    solo('low', { quality: 40, title: 'AI model released' }),
    solo('unscored', { quality: null, excerpt: 'Analysts said the Café reopened' }),
  ];
  assert.deepEqual(leads({ articles, settings: { minQuality: 100 } }), ['high']);
  assert.deepEqual(leads({ articles, settings: { keywords: ['ai'] } }), ['low'], '"ai" must not match "said"');
  assert.deepEqual(leads({ articles, settings: { keywords: ['cafe reopened', 'rates'] } }), ['high', 'unscored']);
});

test('two files with the same URL are one story, led by the better-ranked one', () => {
  const articles = [
    article('dup', { sourcePath: 'old/dup.md', quality: 80 }),
    article('dup', { sourcePath: 'new/dup.md', quality: 120, title: 'Updated story' }),
    solo('other', { quality: 100 }),
  ];
  const result = stories({ articles });
  assert.deepEqual(result.map((s) => s.lead.title), ['Updated story', 'Story other']);
  assert.equal(result[0]!.lead.sourcePath, 'new/dup.md');
});

test('an article whose URL is in another\u2019s related coverage joins that story, and its outlet joins the coverage', () => {
  const lead = article('lead', { quality: 150, related: [coverage(urlOf('follow', 'daily.example.net'), outlet('daily.example.net'), 40)] });
  const follow = article('follow', { url: urlOf('follow', 'daily.example.net'), provider: outlet('daily.example.net', 'Daily'), quality: 90 });
  // This one lists the lead in its own related coverage: the link holds in that direction too.
  const echo = article('echo', { url: urlOf('echo', 'echo.example.org'), provider: outlet('echo.example.org', 'Echo'), quality: 60, related: [coverage(urlOf('lead'), outlet('example.com'))] });
  const other = solo('other', { quality: 70 });
  const result = stories({ articles: [echo, other, follow, lead] });
  assert.deepEqual(result.map((s) => s.lead.id), ['lead', 'other']);
  const [story] = result;
  assert.deepEqual(story!.related.map((c) => c.provider?.name), ['Daily', 'Echo']);
  assert.equal(story!.related[0]!.quality, 90, 'the outlet keeps its best piece: the article itself, not the related entry');
  assert.deepEqual([...story!.urls].sort(), [urlOf('echo', 'echo.example.org'), urlOf('follow', 'daily.example.net'), urlOf('lead')].sort());
});

test('related coverage lists each other outlet once, best first, without the lead\u2019s own outlet', () => {
  const lead = article('lead', {
    related: [
      coverage('https://a.example.org/1', outlet('a.example.org', 'A'), 30),
      coverage('https://b.example.org/1', outlet('b.example.org', 'B'), 90),
      coverage('https://a.example.org/2', outlet('a.example.org', 'A'), 70),
      coverage('https://news.example.com/same-outlet', outlet('example.com'), 200),
      coverage('https://c.example.org/1', null, null),
    ],
  });
  const [story] = stories({ articles: [lead] });
  assert.deepEqual(story!.related.map((c) => c.url), ['https://b.example.org/1', 'https://a.example.org/2', 'https://c.example.org/1']);
  assert.equal(story!.urls.length, 6, 'every URL still identifies the story, listed or not');
});

test('a story the channel received is never sent again: not from another file, with a new score, or led by another outlet', () => {
  const day1 = [
    article('vote', { quality: 150, related: [coverage('https://wire.example.net/vote', outlet('wire.example.net'))] }),
    solo('storm', { quality: 120 }),
  ];
  const first = stories({ articles: day1, settings: { size: 1 } });
  assert.deepEqual(first.map((s) => s.lead.id), ['vote']);
  const seen = new Set(first.flatMap((s) => s.urls));

  const day2 = [
    ...day1,
    article('vote', { sourcePath: 'moved/vote.md', quality: 199 }),
    article('wire-vote', { url: 'https://wire.example.net/vote', provider: outlet('wire.example.net'), quality: 190 }),
    article('vote-reaction', { url: 'https://other.example.org/r', provider: outlet('other.example.org'), quality: 180, related: [coverage(urlOf('vote'), outlet('example.com'))] }),
  ];
  assert.deepEqual(leads({ articles: day2, seen, lastDigestAt: hoursAgo(0.5), now: NOW, settings: { window: { kind: 'hours', hours: 24 } } }), ['storm']);
});

test('a story that comes back under a new lead is recognised through any of its articles, and its place goes to the next story', () => {
  const seen = new Set([urlOf('sent-yesterday')]);
  const articles = [
    solo('new-lead', { quality: 150 }),
    // Lower-ranked, but it ties the new lead to yesterday's story: all three are one story.
    solo('roundup', { quality: 50, related: [coverage(urlOf('new-lead'), null), coverage(urlOf('sent-yesterday'), null)] }),
    solo('next', { quality: 100 }),
    solo('after', { quality: 90 }),
  ];
  assert.deepEqual(leads({ articles, seen, settings: { size: 2 } }), ['next', 'after']);
});

test('at most two stories per outlet by default, and the cap is a setting', () => {
  const articles = [
    ...[1, 2, 3, 4].map((n) => article(`big-${n}`, { quality: 200 - n, provider: outlet('big.example.com', 'Big') })),
    solo('small-1', { quality: 100 }),
    solo('small-2', { quality: 90 }),
  ];
  assert.deepEqual(leads({ articles }), ['big-1', 'big-2', 'small-1', 'small-2']);
  assert.deepEqual(leads({ articles, settings: { maxPerProvider: 1 } }), ['big-1', 'small-1', 'small-2']);
});

test('the digest holds 5 stories by default, the set size, and never more than 10', () => {
  const articles = Array.from({ length: 30 }, (_, i) => solo(`s${String(i).padStart(2, '0')}`));
  assert.equal(leads({ articles }).length, 5);
  assert.equal(leads({ articles, settings: { size: 3 } }).length, 3);
  assert.equal(leads({ articles, settings: { size: 50 } }).length, 10);
});

test('an empty digest says why: nothing new, everything filtered, or everything already sent', () => {
  const old = [solo('old', { publishedAt: hoursAgo(50) }), solo('hidden', { published: false })];
  const nothing = choose({ articles: old });
  assert.equal(nothing.ok, false);
  assert.equal(!nothing.ok && nothing.reason, 'nothing-new');
  assert.match(!nothing.ok ? nothing.detail : '', /No article was published since the previous digest/);

  const fresh = [solo('sports', { topics: ['Sport'] })];
  const filtered = choose({ articles: fresh, settings: { topics: ['Politics'] } });
  assert.equal(!filtered.ok && filtered.reason, 'all-filtered');
  assert.match(!filtered.ok ? filtered.detail : '', /1 article was published .* none matches .*topics Politics/);

  const seen = choose({ articles: fresh, seen: new Set([urlOf('sports')]) });
  assert.equal(!seen.ok && seen.reason, 'all-seen');
  assert.match(!seen.ok ? seen.detail : '', /The only story .* was already sent/);
});
