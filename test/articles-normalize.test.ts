import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { normalizeArticle, articleId, type NormalizeResult } from '../src/articles/normalize.js';
import { parseArticleText } from '../src/articles/parse.js';
import type { Article } from '../src/articles/types.js';
import { sharedPath } from './helpers/shared.js';

const sample = sharedPath('corpus/sample');

const base = {
  title: 'Hospitals reopen',
  excerpt: 'Wards are open again.',
  publishedDateTime: '2020-05-06T03:30:00Z',
  webUrl: 'https://news.example.com/hospitals-reopen',
  type: 'article',
  quality: 120,
  heat: 140,
  published: true,
  provider: { name: 'Example News', domain: 'example.com' },
  topics: ['Coronavirus'],
};

function accept(fields: Record<string, unknown>): Article {
  const result = normalizeArticle({ ...base, ...fields }, 'news/a.md');
  assert.ok(result.ok, `expected the article to load, got: ${result.ok ? '' : result.reason}`);
  return result.article;
}

function reject(result: NormalizeResult): string {
  assert.equal(result.ok, false, 'expected the article to be rejected');
  return result.ok ? '' : result.reason;
}

test('title and excerpt are cleaned: entities decoded, control characters and CR/LF removed, trimmed', () => {
  const a = accept({ title: '\u00a0 Gov&amp;#39;s plan\u0097 ', excerpt: 'Line one\r\nline two &amp;amp; more  ' });
  assert.equal(a.title, "Gov's plan");
  assert.equal(a.excerpt, 'Line one line two & more');
});

test('a missing or blank title, a missing date, and no usable URL each reject the file with the field named', () => {
  assert.equal(reject(normalizeArticle({ ...base, title: undefined }, 'a.md')), 'title: is missing');
  assert.match(reject(normalizeArticle({ ...base, title: ' \u00a0 ' }, 'a.md')), /^title: is missing or empty/);
  assert.equal(reject(normalizeArticle({ ...base, publishedDateTime: undefined }, 'a.md')), 'publishedDateTime: is missing');
  assert.match(reject(normalizeArticle({ ...base, publishedDateTime: 'yesterday' }, 'a.md')), /^publishedDateTime: is not a valid date/);
  assert.match(reject(normalizeArticle({ ...base, webUrl: undefined }, 'a.md')), /^webUrl: is missing/);
  assert.match(reject(normalizeArticle({ ...base, webUrl: 'javascript:alert(1)', originalUrl: 'ftp://x.org/a' }, 'a.md')), /^webUrl: is not a valid http\(s\) URL/);
  assert.match(reject(normalizeArticle('just text', 'a.md')), /^front matter: /);
});

test('url is webUrl, else originalUrl; the id follows the URL, not the file', () => {
  assert.equal(accept({}).url, base.webUrl);
  const video = accept({ webUrl: undefined, originalUrl: 'https://youtube.com/watch?v=6NPtZSMH0h4' });
  assert.equal(video.url, 'https://youtube.com/watch?v=6NPtZSMH0h4');
  assert.equal(accept({ webUrl: 'not a url', originalUrl: 'https://b.example.org/x' }).url, 'https://b.example.org/x');
  assert.equal(accept({ webUrl: 'https://a.example.org/with space' }).url, 'https://a.example.org/with%20space');
  const again = normalizeArticle({ ...base, title: 'Other file' }, 'elsewhere/b.md');
  assert.ok(again.ok);
  assert.equal(again.article.id, accept({}).id);
  assert.equal(again.article.id, articleId(base.webUrl));
  assert.notEqual(accept({ webUrl: 'https://news.example.com/other' }).id, again.article.id);
});

test('publishedAt is the instant of an ISO 8601 date-time: any zone, seconds and fraction optional, a date alone at midnight UTC', () => {
  const at = (value: string) => accept({ publishedDateTime: value }).publishedAt.toISOString();
  assert.equal(at('2020-05-06T03:30:00Z'), '2020-05-06T03:30:00.000Z');
  assert.equal(at('2020-05-06T05:30:00+02:00'), '2020-05-06T03:30:00.000Z');
  assert.equal(at('2020-05-05T22:30-05:00'), '2020-05-06T03:30:00.000Z');
  assert.equal(at('2020-05-06T03:30:00.1234Z'), '2020-05-06T03:30:00.123Z');
  assert.equal(at('2020-05-06'), '2020-05-06T00:00:00.000Z');
  assert.equal(at('2024-02-29T12:00:00Z'), '2024-02-29T12:00:00.000Z');
});

test('a date that is not a real ISO 8601 date-time from 1970 to 2100 is refused, naming the field and the form expected', () => {
  const form = 'expected an ISO 8601 date-time such as 2026-11-20T09:00:00Z';
  const refused = (value: unknown) => reject(normalizeArticle({ ...base, publishedDateTime: value }, 'a.md'));
  // Each value issue 10 found passing as a real date: rolled over, guessed at, or read as milliseconds.
  assert.equal(refused('2026-13-45'), `publishedDateTime: is not a valid date: "2026-13-45" names a day or time that does not exist (${form})`);
  assert.equal(refused('next tuesday 1'), `publishedDateTime: is not a valid date: ${form}, not "next tuesday 1"`);
  assert.equal(refused(20261120), `publishedDateTime: is not a valid date: ${form}, not the number 20261120`);
  assert.equal(refused(-8.64e15), `publishedDateTime: is not a valid date: ${form}, not the number -8640000000000000`);
  assert.equal(refused('+275760-09-13T00:00:00.000Z'), `publishedDateTime: is not a valid date: ${form}, not "+275760-09-13T00:00:00.000Z"`);
  assert.equal(refused('2150-01-01T00:00:00Z'), 'publishedDateTime: is not a valid date: "2150-01-01T00:00:00Z" is outside 1970-01-01 to 2100-01-01');
  assert.equal(refused('1969-12-31T23:59:59Z'), 'publishedDateTime: is not a valid date: "1969-12-31T23:59:59Z" is outside 1970-01-01 to 2100-01-01');
  for (const value of ['2026-02-29T10:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20T10:60:00Z', '2026-11-20T10:00:61Z', '2026-11-20T10:00:00+25:00', '2026-00-10']) {
    assert.match(refused(value), /names a day or time that does not exist/, value);
  }
  for (const value of ['2026-11-20T10:00:00', 'Fri, 20 Nov 2026 10:00:00 GMT', '20/11/2026', '', true, ['2026-11-20'], new Date('2026-11-20T10:00:00Z')]) {
    assert.match(refused(value), /^publishedDateTime: is not a valid date: expected an ISO 8601 date-time/, String(value));
  }
});

test('a related story with a date that is not valid keeps no date', () => {
  const related = (publishedDateTime: unknown) => accept({ related: [{ title: 'Other', webUrl: 'https://other.example.net/a', publishedDateTime }] }).related[0]!.publishedAt;
  assert.equal(related('2026-13-45'), null);
  assert.equal(related(-8.64e15), null);
  assert.deepEqual(related('2020-05-06T04:00:00Z'), new Date('2020-05-06T04:00:00Z'));
});

test('quality and heat are numbers or null; a missing published flag counts as published', () => {
  const bare = accept({ quality: undefined, heat: undefined, published: undefined });
  assert.equal(bare.quality, null);
  assert.equal(bare.heat, null);
  assert.equal(bare.published, true);
  assert.equal(accept({ heat: -1, published: false }).published, false);
  assert.equal(accept({ heat: -1 }).heat, -1);
  assert.equal(accept({ quality: 'high' }).quality, null);
});

test('provider: domain is the key, the name is cleaned, the icon kept only when it is an http(s) URL', () => {
  const a = accept({ provider: { name: ' GameRant on MSN ', domain: 'MSN.com', images: [{ url: 'https://cdn.example.com/msn.png' }] } });
  assert.deepEqual(a.provider, { name: 'GameRant on MSN', domain: 'msn.com', iconUrl: 'https://cdn.example.com/msn.png' });
  assert.equal(accept({ provider: { name: 'X', domain: 'x.com', images: [{ url: 'data:image/png;base64,AAAA' }] } }).provider.iconUrl, null);
  const live = { name: 'cnn.com/world/live-news/h_a615', domain: 'cnn.com/world/live-news/h_a615' };
  assert.deepEqual(accept({ provider: live }).provider, { name: 'cnn.com', domain: 'cnn.com', iconUrl: null });
  // No provider at all: the outlet is known by the article's host.
  assert.deepEqual(accept({ provider: undefined }).provider, { name: 'news.example.com', domain: 'news.example.com', iconUrl: null });
});

test('topics: null entries dropped, duplicates removed ignoring case and accents, first spelling kept', () => {
  assert.deepEqual(accept({ topics: ['Économie', null, 'economie', ' Coronavirus ', 'coronavirus', ''] }).topics, ['Économie', 'Coronavirus']);
  assert.deepEqual(accept({ topics: null }).topics, []);
});

test('image: the first one with a valid http(s) URL that is not a tracking pixel', () => {
  const a = accept({
    images: [{ url: 'not a url' }, { url: 'https://t.example.com/p.gif', width: 1, height: 1 }, { url: 'http://img.example.com/a.jpg', width: 640, height: 360 }],
  });
  assert.deepEqual(a.image, { url: 'http://img.example.com/a.jpg', width: 640, height: 360 });
  assert.deepEqual(accept({ images: [{ url: 'https://img.example.com/b.jpg' }] }).image, { url: 'https://img.example.com/b.jpg', width: null, height: null });
  assert.equal(accept({ images: undefined }).image, null);
});

test('related: entries without a valid URL and the article itself are dropped; the rest normalised', () => {
  const a = accept({
    related: [
      { title: 'Self', webUrl: base.webUrl },
      { title: 'Broken', webUrl: 'mailto:x@y.z' },
      { title: 'Other &amp; more', webUrl: 'https://other.example.net/story', provider: { name: 'Other', domain: 'other.example.net' }, publishedDateTime: '2020-05-06T04:00:00Z', quality: 90 },
      { title: 'Same again', webUrl: 'https://other.example.net/story' },
      null,
    ],
  });
  assert.deepEqual(a.related, [
    { title: 'Other & more', url: 'https://other.example.net/story', provider: { name: 'Other', domain: 'other.example.net', iconUrl: null }, publishedAt: new Date('2020-05-06T04:00:00Z'), quality: 90 },
  ]);
});

test('the article keeps only what the bot uses: no raw text, no secured blob, no featuredContent', () => {
  const a = accept({ secured: 'opaque', featuredContent: '<iframe></iframe>', ampWebUrl: 'https://amp.example.com' });
  assert.deepEqual(Object.keys(a).sort(), ['excerpt', 'heat', 'id', 'image', 'provider', 'published', 'publishedAt', 'quality', 'related', 'sourcePath', 'title', 'topics', 'type', 'url']);
  assert.equal(a.sourcePath, 'news/a.md');
});

test('broken YAML is rejected with its line number', () => {
  const reason = reject(parseArticleText('---\ntitle: ok\nexcerpt: "never closed\n---\n', 'broken.md'));
  assert.match(reason, /^YAML line \d+: /);
});

function manifest(): { file: string; why: string }[] {
  const lines = fs.readFileSync(path.join(sample.path, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => { const cols = l.split('\t'); return { file: cols[0]!, why: cols[cols.length - 1]! }; });
}

function loadSample(file: string): Article {
  const result = parseArticleText(fs.readFileSync(path.join(sample.path, file), 'utf8'), file);
  assert.ok(result.ok, `${file}: ${result.ok ? '' : result.reason}`);
  return result.article;
}

test('every file of the real sample corpus loads, and its edge cases come out clean', { skip: sample.skip }, () => {
  const entries = manifest();
  assert.equal(entries.length, 214);
  for (const { file, why } of entries) {
    const a = loadSample(file);
    assert.ok(a.title && a.title === a.title.trim() && !/[\r\n\u0097\u00a0]/.test(a.title), `${file}: title ${JSON.stringify(a.title)}`);
    assert.ok(!/[\r\n]|&amp;|&#39;/.test(a.excerpt), `${file}: excerpt ${JSON.stringify(a.excerpt)}`);
    assert.ok(!a.related.some((r) => r.url === a.url), `${file}: lists itself as related`);
    assert.ok(!a.topics.includes(null as unknown as string));
    if (why.includes('no published/quality/heat keys')) assert.deepEqual([a.published, a.quality, a.heat], [true, null, null]);
    if (why.includes('no webUrl')) assert.match(a.url, /^https:\/\/(www\.)?youtube\.com\//);
    if (why.includes('empty excerpt')) assert.equal(a.excerpt, '');
  }
});
