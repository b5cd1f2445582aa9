// Property: whatever the real corpora hold, every digest payload is within Discord's limits and valid against
// Discord's OpenAPI description.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import type { Article } from '../src/articles/types.js';
import { ArticleLibrary } from '../src/articles/library.js';
import { chooseDigest, storyOf } from '../src/digest/choose.js';
import { digestMessages, type MessagePayload } from '../src/digest/messages.js';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { createLogger } from '../src/log.js';
import { openApiProblems, openApiSkip } from './helpers/openapi.js';
import { sharedPath } from './helpers/shared.js';
import { limitProblems } from './fixtures/digest/limits.js';

const corpus = sharedPath('corpus');
const skip = corpus.skip || openApiSkip;
const ROLE = '123456789012345678';

async function readFolder(name: string): Promise<{ name: string; articles: readonly Article[] }> {
  const library = await ArticleLibrary.open({ contentDir: path.join(corpus.path, name), cacheDir: null, logger: createLogger('silent'), watch: false });
  const articles = library.all();
  await library.close();
  return { name, articles };
}

const folders = skip ? [] : await Promise.all(['sample', 'coronavirus/_news', 'diablo4/_news'].map(readFolder));

function problemsOf(payloads: MessagePayload[], context: string): string[] {
  return payloads.flatMap((payload, i) => [...limitProblems(payload), ...openApiProblems('MessageCreateRequest', payload)].map((p) => `${context}, message ${i + 1}: ${p}`));
}

function latest(articles: readonly Article[]): Date {
  return new Date(Math.max(...articles.map((a) => a.publishedAt.getTime())) + 3_600_000);
}

test('every article of every corpus folder, as a story and packed ten to a digest, gives valid payloads', { skip }, () => {
  const problems: string[] = [];
  let stories = 0;
  for (const { name, articles } of folders) {
    assert.ok(articles.length > 100, `${name}: expected the corpus to load`);
    const all = articles.map(storyOf);
    for (let i = 0; i < all.length; i += 10) {
      const group = all.slice(i, i + 10);
      const { payloads, storiesPerMessage } = digestMessages(group, { now: latest(articles), timezone: 'UTC', mentionRoleId: ROLE });
      assert.deepEqual(storiesPerMessage.flat(), group, 'no story is lost in packing');
      problems.push(...problemsOf(payloads, `${name} from ${group[0]!.lead.sourcePath}`));
      stories += group.length;
    }
  }
  // The library shows one article per URL: 147 groups of real files share one.
  assert.ok(stories > 7800, `expected every corpus article, got ${stories}`);
  assert.deepEqual(problems.slice(0, 20), []);
});

test('digests of every size from 1 to 10 chosen from each corpus folder are full and valid', { skip }, () => {
  for (const { name, articles } of folders) {
    for (let size = 1; size <= 10; size++) {
      const choice = chooseDigest({
        articles,
        now: latest(articles),
        settings: { ...DEFAULT_DIGEST_SETTINGS, size, window: { kind: 'all' } },
        lastDigestAt: null,
        seen: new Set(),
      });
      assert.ok(choice.ok, `${name} size ${size}: ${choice.ok ? '' : choice.detail}`);
      assert.equal(choice.stories.length, size);
      const { payloads } = digestMessages(choice.stories, { now: latest(articles), timezone: 'America/New_York' });
      assert.deepEqual(problemsOf(payloads, `${name} size ${size}`), []);
    }
  }
});

test('property: any mix of corpus articles, settings and history gives payloads within the limits', { skip }, () => {
  const pool = folders.flatMap((f) => f.articles);
  const now = latest(pool);
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.nat(pool.length - 1), { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 1, max: 10 }),
      fc.integer({ min: 1, max: 3 }),
      fc.uniqueArray(fc.nat(pool.length - 1), { maxLength: 20 }),
      (picked, size, maxPerProvider, seenPicks) => {
        const articles = picked.map((i) => pool[i]!);
        const seen = new Set(seenPicks.map((i) => pool[i]!.url));
        const choice = chooseDigest({ articles, now, settings: { ...DEFAULT_DIGEST_SETTINGS, size, maxPerProvider, window: { kind: 'all' } }, lastDigestAt: null, seen });
        if (!choice.ok) return;
        assert.ok(choice.stories.length <= size);
        assert.ok(choice.stories.every((s) => !s.urls.some((u) => seen.has(u))), 'a story already sent came back');
        const { payloads } = digestMessages(choice.stories, { now, timezone: 'Asia/Kolkata' });
        assert.deepEqual(problemsOf(payloads, 'random mix'), []);
      },
    ),
    { numRuns: 150, seed: 20261126 },
  );
});
