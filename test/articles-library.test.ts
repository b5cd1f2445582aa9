import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ArticleLibrary } from '../src/articles/library.js';
import { createLogger } from '../src/log.js';
import { projectRoot, sharedPath } from './helpers/shared.js';

const fixtures = path.join(projectRoot, 'test/fixtures/articles');
const sample = sharedPath('corpus/sample');
const coronavirus = sharedPath('corpus/coronavirus');
const diablo4 = sharedPath('corpus/diablo4');

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, logger };
}

const logs = capture();
const library = await ArticleLibrary.open({ contentDir: fixtures, cacheDir: null, logger: logs.logger, directRankMax: 0 });
after(() => library.close());

const titles = (articles: readonly { title: string }[]) => articles.map((a) => a.title);

test('bad files are skipped with one log line each naming file and reason, and one summary line', () => {
  const skips = logs.lines.filter((l) => l.msg === 'article file skipped').map((l) => [l.file, l.reason]);
  assert.deepEqual(skips.map(([file]) => file).sort(), ['bad/broken-yaml.md', 'bad/missing-title.md', 'bad/no-url.md']);
  assert.match(String(skips.find(([f]) => f === 'bad/broken-yaml.md')![1]), /^YAML line \d+: /);
  assert.equal(skips.find(([f]) => f === 'bad/missing-title.md')![1], 'title: is missing');
  assert.match(String(skips.find(([f]) => f === 'bad/no-url.md')![1]), /^webUrl: is not a valid http\(s\) URL/);
  const summaries = logs.lines.filter((l) => l.msg === 'articles loaded');
  assert.equal(summaries.length, 1);
  assert.deepEqual(library.summary.byReason, {
    'broken YAML': 1,
    'title: is missing': 1,
    'webUrl: is not a valid http(s) URL (nor is originalUrl)': 1,
  });
  assert.equal(library.summary.skipped, 3);
  assert.equal(summaries[0]!.loaded, library.size);
});

test('only .md files load, recursively; files sharing a URL are one article: highest heat, then quality', () => {
  // 7 distinct URLs among 10 good .md files (three copies of one story); notes.txt and .keep are ignored.
  assert.equal(library.size, 8);
  assert.equal(library.all().length, 8);
  const hospital = library.all().filter((a) => a.url === 'https://www.latimes.com/hospital-capacity');
  assert.deepEqual(titles(hospital), ['Hospital capacity: copy C']);
  assert.equal(library.get(hospital[0]!.id), hospital[0]);
  assert.equal(library.get('no-such-id'), undefined);
});

test('search: words in title, excerpt, provider or topics; published only unless asked; newest without words', () => {
  assert.deepEqual(titles(library.search({ words: 'school' }).articles), []);
  assert.deepEqual(titles(library.search({ words: 'school', includeUnpublished: true }).articles), ['School reopening plan delayed again']);
  assert.deepEqual(titles(library.search({ words: 'reuters', includeUnpublished: true }).articles), ['School reopening plan delayed again']);
  assert.deepEqual(titles(library.search({ words: 'education', includeUnpublished: true }).articles), ['School reopening plan delayed again']);
  const page = library.search({});
  assert.equal(page.total, 7);
  assert.deepEqual(titles(page.articles), ['Hospital capacity: copy C', 'Diablo 4 season one roadmap', 'Diablo 4 beta dates leak', 'Diablo 4 vaccine parody trailer', 'Économie : les marchés rebondissent']);
});

test('search ranks by relevance (title over excerpt-only or topic-only), then quality; prefix and small typos match', () => {
  // In title, topics and excerpt; in title and topics; in title and excerpt; in the excerpt only.
  assert.deepEqual(titles(library.search({ words: 'vaccine' }).articles), [
    'Moderna vaccine trial expands to 600 volunteers',
    'How mRNA vaccines work, explained',
    'Diablo 4 vaccine parody trailer',
  ]);
  assert.deepEqual(titles(library.search({ words: 'short explainer' }).articles), ['How mRNA vaccines work, explained']);
  assert.deepEqual(titles(library.search({ words: 'volunt' }).articles), ['Moderna vaccine trial expands to 600 volunteers']);
  assert.deepEqual(titles(library.search({ words: 'modernna' }).articles), ['Moderna vaccine trial expands to 600 volunteers']);
  assert.deepEqual(titles(library.search({ words: 'modrna triel' }).articles), ['Moderna vaccine trial expands to 600 volunteers']);
  assert.equal(library.search({ words: 'vaccien' }).total, 3);
  // Short words are not guessed at: too many words lie one letter away.
  assert.equal(library.search({ words: 'dair' }).total, 0);
  assert.deepEqual(titles(library.search({ words: 'economie marches' }).articles), ['Économie : les marchés rebondissent']);
});

test('search filters: topic and provider (domain or any of its names), date range, paging', () => {
  assert.deepEqual(titles(library.search({ topic: 'vaccines' }).articles), ['Moderna vaccine trial expands to 600 volunteers', 'How mRNA vaccines work, explained']);
  assert.equal(library.search({ provider: 'msn.com' }).total, 3);
  assert.equal(library.search({ provider: 'gamerant on msn' }).total, 3);
  assert.equal(library.search({ provider: 'Game Rant on MSN', words: 'beta' }).total, 1);
  assert.equal(library.search({ provider: 'unknown.example' }).total, 0);
  assert.equal(library.search({ topic: 'no such topic' }).total, 0);
  assert.equal(library.search({ topic: 'Education Impact' }).total, 0);
  assert.deepEqual(titles(library.search({ topic: 'education impact', includeUnpublished: true }).articles), ['School reopening plan delayed again']);
  assert.deepEqual(titles(library.search({ topic: 'Diablo 4', since: new Date('2020-05-05T00:00:00Z'), limit: 10 }).articles), ['Diablo 4 season one roadmap', 'Diablo 4 beta dates leak']);
  assert.deepEqual(titles(library.search({ topic: 'Coronavirus', provider: 'Le Monde' }).articles), ['Économie : les marchés rebondissent']);
  const may = library.search({ since: new Date('2020-05-02T00:00:00Z'), until: new Date('2020-05-05T23:59:59Z') });
  assert.deepEqual(titles(may.articles), ['Diablo 4 beta dates leak', 'Diablo 4 vaccine parody trailer', 'Économie : les marchés rebondissent']);
  const second = library.search({ provider: 'msn.com', offset: 1, limit: 1 });
  assert.deepEqual({ total: second.total, titles: titles(second.articles) }, { total: 3, titles: ['Diablo 4 beta dates leak'] });
  assert.deepEqual(titles(library.search({ words: 'diablo', sort: 'newest', limit: 2 }).articles), ['Diablo 4 season one roadmap', 'Diablo 4 beta dates leak']);
});

test('autocomplete: most used first, prefix before substring, case- and accent-insensitive; providers by domain', () => {
  // Counts are of published articles, the ones a search finds: the unpublished school plan is not one of Coronavirus's.
  assert.deepEqual(library.topics('', 3), [{ name: 'Diablo 4', count: 3 }, { name: 'Coronavirus', count: 2 }, { name: 'Vaccines', count: 2 }]);
  assert.equal(library.topics('Coronavirus')[0]!.count, library.search({ topic: 'Coronavirus' }).total);
  assert.deepEqual(library.topics('ECONO'), [{ name: 'Économie', count: 1 }]);
  assert.deepEqual(library.topics('in us').map((t) => t.name), ['Coronavirus in US']);
  assert.deepEqual(library.topics('co').map((t) => t.name), ['Coronavirus', 'Coronavirus in US', 'Économie']);
  assert.deepEqual(library.providers('', 1), [{ domain: 'msn.com', name: 'Game Rant on MSN', count: 3 }]);
  assert.deepEqual(library.providers('msn').map((p) => p.domain), ['msn.com']);
  assert.deepEqual(library.providers('monde'), [{ domain: 'lemonde.fr', name: 'Le Monde', count: 1 }]);
});

test('small filtered lists ranked directly give the same pages as going through the index', async () => {
  const direct = await ArticleLibrary.open({ contentDir: fixtures, cacheDir: null, logger: capture().logger });
  try {
    for (const query of [{ words: 'vaccine' }, { words: 'diablo', offset: 1, limit: 2 }, { words: 'modernna' }, { words: 'coronavirus', topic: 'Économie' }, { words: 'school', includeUnpublished: true }]) {
      assert.deepEqual(direct.search(query), library.search(query), JSON.stringify(query));
    }
  } finally {
    await direct.close();
  }
});

function distinctUrls(dir: string): number {
  const urls = new Set<string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.md')) continue;
    const text = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    urls.add((/^webUrl: "(.*)"$/m.exec(text) ?? /^originalUrl: "(.*)"$/m.exec(text))![1]!.replace(/ /g, '%20'));
  }
  return urls.size;
}

test('the real sample corpus loads whole: no file skipped, one article per distinct URL', { skip: sample.skip }, async () => {
  const { logger, lines } = capture();
  const real = await ArticleLibrary.open({ contentDir: sample.path, cacheDir: null, logger });
  try {
    assert.deepEqual([real.summary.skipped, lines.filter((l) => l.msg === 'article file skipped').length], [0, 0]);
    assert.equal(real.size, distinctUrls(sample.path));
    assert.ok(real.search({ words: 'diablo' }).total > 0);
    // Its one article is unpublished: no member can find it, so autocomplete leaves the outlet out; its name still resolves.
    assert.deepEqual(real.providers('GameRant on'), []);
    assert.equal(real.findProvider('gamerant on msn.com')?.domain, 'msn.com');
  } finally {
    await real.close();
  }
});

for (const [name, corpus] of [['coronavirus', coronavirus], ['diablo4', diablo4]] as const) {
  test(`every file of the real ${name} corpus loads: none skipped, one article per distinct URL`, { skip: corpus.skip }, async () => {
    const real = await ArticleLibrary.open({ contentDir: corpus.path, cacheDir: null, logger: capture().logger });
    try {
      assert.equal(real.summary.skipped, 0, JSON.stringify(real.summary.byReason));
      assert.equal(real.size, distinctUrls(corpus.path));
    } finally {
      await real.close();
    }
  });
}

test('on the real coronavirus corpus, a search finds every published match of a word before its index is ready (without waiting for it) and through it, typo or not', { skip: coronavirus.skip }, async () => {
  const { logger, lines } = capture();
  // directRankMax 0: every search with words goes through the index once it is ready.
  const real = await ArticleLibrary.open({ contentDir: coronavirus.path, cacheDir: null, logger, directRankMax: 0 });
  const indexReady = () => lines.some((l) => l.event === 'articles.index_ready');
  const findsEveryMatch = (when: string) => {
    for (const word of ['pangolin', 'remdesivir', 'nursing']) {
      const pattern = new RegExp(`(^|[^\\p{L}\\p{N}])${word}`, 'iu');
      const expected = real.all().filter((a) => a.published && [a.title, a.excerpt, a.provider.name, a.provider.domain, ...a.topics].some((f) => pattern.test(f)));
      const page = real.search({ words: word, limit: 1000 });
      assert.ok(expected.length > 0, word);
      assert.equal(page.total, expected.length, `${word}, ${when}`);
      assert.deepEqual(new Set(page.articles.map((a) => a.id)), new Set(expected.map((a) => a.id)), `${word}, ${when}`);
    }
  };
  try {
    // Just after open() the index is still being built on its worker thread: the lists are ranked directly, and the
    // searches do not wait for the index (nor build it themselves).
    findsEveryMatch('before the index is ready');
    assert.equal(indexReady(), false, 'a search waited for the search index');
    await real.whenWarm();
    assert.equal(indexReady(), true);
    findsEveryMatch('through the index');
    const typo = real.search({ words: 'pangloin' });
    assert.equal(typo.total, real.search({ words: 'pangolin' }).total);
  } finally {
    await real.close();
  }
});
