// Every field of a file's front matter with a value of each type YAML can give: the article served (or the reason
// a file is skipped) is pinned here, so reading the fields by hand instead of through a schema library changed
// nothing a user sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeArticle } from '../src/articles/normalize.js';

const base = { title: 'Hospitals reopen', publishedDateTime: '2020-05-06T03:30:00Z', webUrl: 'https://x.example.com/a' };
const load = (fields: Record<string, unknown>) => normalizeArticle({ ...base, ...fields }, 'a.md');
const article = (fields: Record<string, unknown>) => {
  const result = load(fields);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.article;
};
const reason = (frontMatter: unknown) => {
  const result = normalizeArticle(frontMatter, 'a.md');
  assert.equal(result.ok, false);
  return result.ok ? '' : result.reason;
};
const fallbackProvider = { name: 'x.example.com', domain: 'x.example.com', iconUrl: null };

test('front matter that is not a map is refused with the type it has', () => {
  for (const [value, kind] of [['text', 'string'], [5, 'number'], [null, 'null'], [[], 'array'], [true, 'boolean'], [undefined, 'undefined'], [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity']] as const) {
    assert.equal(reason(value), `front matter: Invalid input: expected object, received ${kind}`);
  }
});

test('the title must be text or a number with something left once cleaned; it is checked before the date', () => {
  for (const title of [true, null, [], {}, NaN, Infinity]) assert.equal(reason({ ...base, title, publishedDateTime: 'x' }), 'title: Invalid input');
  assert.equal(reason({ ...base, title: undefined }), 'title: is missing');
  assert.equal(reason({ ...base, title: ' \u200b ' }), 'title: is missing or empty');
  assert.equal(article({ title: 5 }).title, '5');
  assert.equal(reason({ ...base, publishedDateTime: undefined }), 'publishedDateTime: is missing');
  assert.equal(reason({ ...base, publishedDateTime: null }), 'publishedDateTime: is not a valid date: expected an ISO 8601 date-time such as 2026-11-20T09:00:00Z, not the object null');
});

test('optional fields of the wrong type fall back to their defaults instead of costing the article', () => {
  const a = article({ quality: NaN, heat: Infinity, published: 'yes', type: 5, excerpt: true, topics: 'x', images: 'x', provider: [] });
  assert.deepEqual(
    { quality: a.quality, heat: a.heat, published: a.published, type: a.type, excerpt: a.excerpt, topics: a.topics, image: a.image, provider: a.provider },
    { quality: null, heat: null, published: true, type: '5', excerpt: '', topics: [], image: null, provider: fallbackProvider },
  );
  assert.equal(article({ heat: -1, quality: 0, published: false }).heat, -1);
  assert.deepEqual(article({ topics: [null, 5, true, 'A', 'a', ' '] }).topics, ['5', 'A']);
  assert.deepEqual(article({ provider: { name: true, domain: 5, images: 'x' } }).provider, { name: '5', domain: '5', iconUrl: null });
  assert.deepEqual(article({ provider: 'x' }).provider, fallbackProvider);
  // Negative or non-numeric sizes are unknown, not a reason to drop the picture; entries that are not maps are skipped.
  assert.deepEqual(article({ images: ['q', { url: 'https://i.example.com/a.png', width: -1, height: 'x' }] }).image, { url: 'https://i.example.com/a.png', width: null, height: null });
});

test('related entries that are not maps or have no usable link are dropped; their other odd fields fall back', () => {
  const entry = { webUrl: 'https://r.example.com/1', title: true, publishedDateTime: 'bad', quality: Infinity, provider: [] };
  assert.deepEqual(article({ related: [null, 'x', [], entry, { title: 'no link' }] }).related, [
    { title: 'r.example.com', url: 'https://r.example.com/1', provider: null, publishedAt: null, quality: null },
  ]);
  assert.deepEqual(article({ related: 'x' }).related, []);
  const dated = article({ related: [{ originalUrl: 'https://r.example.com/2', title: 7, publishedDateTime: '2020-05-01', quality: 3, provider: { domain: 'R.example.com' } }] }).related[0];
  assert.deepEqual(dated, { title: '7', url: 'https://r.example.com/2', provider: { name: 'r.example.com', domain: 'r.example.com', iconUrl: null }, publishedAt: new Date('2020-05-01T00:00:00Z'), quality: 3 });
});
