// Property: whatever the real corpora hold, every digest payload, in every layout and picture size, is within
// Discord's limits and valid against Discord's OpenAPI description.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import type { Article } from '../src/articles/types.js';
import type { Story } from '../src/digest/choose.js';
import { ArticleLibrary } from '../src/articles/library.js';
import { chooseDigest, storyOf } from '../src/digest/choose.js';
import { DIGEST_LAYOUTS, IMAGE_SIZES, type DigestLayout, type ImageSize } from '../src/digest/layout.js';
import { digestMessages, type DigestMessageOptions, type MessagePayload } from '../src/digest/messages.js';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { createLogger } from '../src/log.js';
import { openApiProblems, openApiSkip } from './helpers/openapi.js';
import { sharedPath } from './helpers/shared.js';
import { limitProblems } from './fixtures/digest/limits.js';
import { layoutOf, linkProblems, pictureProblems, storiesShown } from './fixtures/digest/layouts.js';

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

const SHAPES = DIGEST_LAYOUTS.flatMap((layout) => IMAGE_SIZES.map((images) => ({ layout, images })));

/** The digest of `stories` in every layout and picture size, with what is wrong with each message, if anything. */
function everyShape(stories: Story[], options: DigestMessageOptions, context: string): string[] {
  return SHAPES.flatMap(({ layout, images }) => {
    const { payloads, storiesPerMessage } = digestMessages(stories, { ...options, layout, images });
    const where = `${context}, ${layout}/${images}`;
    const lost = storiesPerMessage.flat().length === stories.length && storiesPerMessage.flat().every((s, i) => s === stories[i]) ? [] : [`${where}: stories lost or reordered`];
    return [...lost, ...problemsOf(payloads, storiesPerMessage, where, { layout, images })];
  });
}

/** What is wrong with each message of a digest asked for in `shape`: its look, its stories, its limits, its links. */
function problemsOf(payloads: MessagePayload[], storiesPerMessage: Story[][], context: string, shape: { layout: DigestLayout; images: ImageSize }): string[] {
  return payloads.flatMap((payload, i) => {
    const look = layoutOf(payload) === shape.layout ? [] : [`looks like ${layoutOf(payload)}`];
    const shown = storiesShown(payload) === storiesPerMessage[i]!.length ? [] : [`shows ${storiesShown(payload)} stories but records ${storiesPerMessage[i]!.length}`];
    const checks = [...look, ...shown, ...pictureProblems(payload, shape.images), ...limitProblems(payload), ...linkProblems(payload)];
    return [...checks, ...openApiProblems('MessageCreateRequest', payload)].map((p) => `${context}, message ${i + 1}: ${p}`);
  });
}

function latest(articles: readonly Article[]): Date {
  return new Date(Math.max(...articles.map((a) => a.publishedAt.getTime())) + 3_600_000);
}

test('every article of every corpus folder, as a story and packed ten to a digest in every layout and picture size, gives valid payloads', { skip }, () => {
  const problems: string[] = [];
  let stories = 0;
  for (const { name, articles } of folders) {
    assert.ok(articles.length > 100, `${name}: expected the corpus to load`);
    const all = articles.map(storyOf);
    for (let i = 0; i < all.length; i += 10) {
      const group = all.slice(i, i + 10);
      problems.push(...everyShape(group, { now: latest(articles), timezone: 'UTC', mentionRoleId: ROLE }, `${name} from ${group[0]!.lead.sourcePath}`));
      stories += group.length;
    }
  }
  // The library shows one article per URL: 147 groups of real files share one.
  assert.ok(stories > 7800, `expected every corpus article, got ${stories}`);
  assert.deepEqual(problems.slice(0, 20), []);
});

test('digests of every size from 1 to 10 chosen from each corpus folder are full and valid in every layout and picture size', { skip }, () => {
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
      assert.deepEqual(everyShape(choice.stories, { now: latest(articles), timezone: 'America/New_York' }, `${name} size ${size}`), []);
    }
  }
});

test('property: any mix of corpus articles, settings, history, layout and picture size gives payloads within the limits', { skip }, () => {
  const pool = folders.flatMap((f) => f.articles);
  const now = latest(pool);
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.nat(pool.length - 1), { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 1, max: 10 }),
      fc.integer({ min: 1, max: 3 }),
      fc.uniqueArray(fc.nat(pool.length - 1), { maxLength: 20 }),
      fc.constantFrom<DigestLayout>(...DIGEST_LAYOUTS),
      fc.constantFrom<ImageSize>(...IMAGE_SIZES),
      (picked, size, maxPerProvider, seenPicks, layout, images) => {
        const articles = picked.map((i) => pool[i]!);
        const seen = new Set(seenPicks.map((i) => pool[i]!.url));
        const choice = chooseDigest({ articles, now, settings: { ...DEFAULT_DIGEST_SETTINGS, size, maxPerProvider, window: { kind: 'all' } }, lastDigestAt: null, seen });
        if (!choice.ok) return;
        assert.ok(choice.stories.length <= size);
        assert.ok(choice.stories.every((s) => !s.urls.some((u) => seen.has(u))), 'a story already sent came back');
        const { payloads, storiesPerMessage } = digestMessages(choice.stories, { now, timezone: 'Asia/Kolkata', layout, images });
        assert.deepEqual(storiesPerMessage.flat(), choice.stories);
        assert.deepEqual(problemsOf(payloads, storiesPerMessage, `random mix, ${layout}/${images}`, { layout, images }), []);
      },
    ),
    { numRuns: 150, seed: 20261126 },
  );
});
