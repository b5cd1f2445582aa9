// The shipped sample articles: enough variety for the preview and `npm start` to look real, and nothing real in them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ArticleLibrary } from '../src/articles/library.js';
import { createLogger } from '../src/log.js';
import { projectRoot } from './helpers/shared.js';

const contentDir = path.join(projectRoot, 'content');
const EXAMPLE_HOST = /(^|\.)example\.(com|org|net)$/;

test('the sample content spans topics, outlets and days, with unpublished articles and rich related coverage', async () => {
  const library = await ArticleLibrary.open({ contentDir, cacheDir: null, logger: createLogger('silent'), watch: false });
  const articles = library.all();
  await library.close();
  assert.equal(library.summary.skipped, 0, 'every sample file loads');
  assert.ok(articles.length >= 40, `${articles.length} articles`);
  assert.ok(new Set(articles.flatMap((a) => a.topics)).size >= 8);
  assert.ok(new Set(articles.map((a) => a.provider.domain)).size >= 8);
  assert.ok(new Set(articles.map((a) => a.publishedAt.toISOString().slice(0, 10))).size >= 10);
  assert.ok(articles.filter((a) => !a.published).length >= 3);
  assert.ok(articles.filter((a) => a.related.length >= 3).length >= 5);
  const urls = articles.flatMap((a) => [a.url, a.image?.url, a.provider.iconUrl, ...a.related.map((r) => r.url)]).filter((u): u is string => !!u);
  assert.deepEqual(urls.filter((u) => !EXAMPLE_HOST.test(new URL(u).hostname)), [], 'every link is on example.com, .org or .net');
});

test('every sample file says it is a sample', () => {
  const files = fs.readdirSync(contentDir).filter((f) => f.endsWith('.md'));
  const unmarked = files.filter((f) => !/^# Sample article written for Newsdesk/m.test(fs.readFileSync(path.join(contentDir, f), 'utf8')));
  assert.deepEqual(unmarked, []);
});
