// Choosing a digest: a pure function from the library, the clock, a channel's settings and what the channel already
// received, to the stories to post (or the reason there are none).
import type { Article, RelatedCoverage } from '../articles/types.js';
import { storyCoverage } from './coverage.js';
import { compileArticleFilter, describeFilters } from './filters.js';
import { RankedQueue } from './heap.js';
import { compareArticles } from './rank.js';
import { DIGEST_SIZE_MAX, describeWindow, windowBounds, type DigestSettings } from './settings.js';
import { plural } from '../util/text.js';

export interface Story {
  lead: Article;
  /** Other outlets' coverage, best first, at most one entry per outlet. */
  related: RelatedCoverage[];
  /** Every URL identifying the story (its articles and their related coverage): record these as sent. */
  urls: string[];
}

export type DigestChoice =
  | { ok: true; stories: Story[] }
  | { ok: false; reason: 'nothing-new' | 'all-filtered' | 'all-seen'; detail: string };

export interface DigestInput {
  articles: readonly Article[];
  now: Date;
  settings: DigestSettings;
  /** When the digest's previous run was planned: a since-last window takes the stories eligible from then on. */
  lastDigestAt: Date | null;
  /** URLs the channel already received. */
  seen: ReadonlySet<string>;
  /**
   * When each article (by URL) became eligible: first seen published by the bot. An article missing from it (or no
   * map at all, as in a preview from the command line) counts as eligible from its publication time.
   */
  eligibleAt?: ReadonlyMap<string, number>;
  /** How old a story a since-last window may still send (default 48 h, a daily digest's). */
  maxAgeHours?: number;
}

/** The URLs that tie an article to its story: its own and those of its related coverage. */
function storyUrls(article: Article): string[] {
  return [article.url, ...article.related.map((c) => c.url)];
}

/** One article as a story of its own, for single-article views (`storyEmbed(storyOf(article))`). */
export function storyOf(article: Article): Story {
  return { lead: article, related: storyCoverage(article, []), urls: storyUrls(article) };
}

type Fate = 'chosen' | 'seen' | 'capped';

/** A story being assembled: its lead, the articles folded into it, and the URLs that now identify it. */
interface Draft {
  fate: Fate;
  lead: Article;
  others: Article[];
  urls: Set<string>;
}

/** The story an article belongs to: one of its URLs (its own or a related one) already identifies that story. */
function linkedDraft(article: Article, claimed: ReadonlyMap<string, Draft>): Draft | undefined {
  const own = claimed.get(article.url);
  if (own) return own;
  for (const coverage of article.related) {
    const draft = claimed.get(coverage.url);
    if (draft) return draft;
  }
  return undefined;
}

function alreadySent(article: Article, seen: ReadonlySet<string>): boolean {
  return seen.size > 0 && storyUrls(article).some((url) => seen.has(url));
}

function claim(draft: Draft, article: Article, claimed: Map<string, Draft>): void {
  if (article !== draft.lead) draft.others.push(article);
  for (const url of storyUrls(article)) {
    draft.urls.add(url);
    if (!claimed.has(url)) claimed.set(url, draft);
  }
}

/** The state of one choice: the stories so far and which URLs and articles they already hold. */
interface Selection {
  claimed: Map<string, Draft>;
  /** Articles folded into a story after selection, which must not be placed again when popped later. */
  folded: Set<Article>;
  chosen: Draft[];
  perProvider: Map<string, number>;
  seenStories: number;
}

/** Takes stories best first until the digest is full: each article joins its story, or leads a new one. */
function fill(selection: Selection, queue: RankedQueue<Article>, seen: ReadonlySet<string>, size: number, maxPerProvider: number): void {
  const { claimed, chosen, perProvider } = selection;
  while (chosen.length < size) {
    const article = queue.pop();
    if (!article) return;
    if (selection.folded.has(article)) continue;
    const linked = linkedDraft(article, claimed);
    if (linked) {
      claim(linked, article, claimed);
      continue;
    }
    const domain = article.provider.domain;
    const count = perProvider.get(domain) ?? 0;
    const fate: Fate = alreadySent(article, seen) ? 'seen' : count >= maxPerProvider ? 'capped' : 'chosen';
    const draft: Draft = { fate, lead: article, others: [], urls: new Set() };
    claim(draft, article, claimed);
    if (fate === 'seen') selection.seenStories++;
    if (fate === 'chosen') {
      chosen.push(draft);
      perProvider.set(domain, count + 1);
    }
  }
}

/**
 * Folds the lower-ranked candidates into the chosen stories they belong to, so that their outlets join the related
 * coverage and their URLs are recorded as sent. Repeats while a pass folds something in, because an article may
 * link to a story only through another article folded in during that pass.
 */
function foldRemaining(remaining: readonly Article[], selection: Selection): void {
  let pending = remaining.filter((a) => !selection.folded.has(a));
  let folded = true;
  while (folded && pending.length > 0) {
    folded = false;
    const next: Article[] = [];
    for (const article of pending) {
      const draft = linkedDraft(article, selection.claimed);
      if (draft?.fate === 'chosen') {
        claim(draft, article, selection.claimed);
        selection.folded.add(article);
        folded = true;
      } else {
        next.push(article);
      }
    }
    pending = next;
  }
}

/**
 * Gives up the chosen stories that turned out, once complete, to hold an article the channel already received (the
 * story came back under a new lead), so that the caller fills their places. True when any was given up.
 */
function dropReceived(selection: Selection, seen: ReadonlySet<string>): boolean {
  const received = selection.chosen.filter((d) => d.others.some((a) => alreadySent(a, seen)));
  for (const draft of received) {
    draft.fate = 'seen';
    selection.seenStories++;
    const domain = draft.lead.provider.domain;
    selection.perProvider.set(domain, selection.perProvider.get(domain)! - 1);
  }
  selection.chosen = selection.chosen.filter((d) => d.fate === 'chosen');
  return received.length > 0;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}

// Every plan looks at the whole library's dates: reading them from the articles (an object each, and a Date in it,
// scattered over the heap) took 6-10 ms a plan at 50,000 articles, most of a scheduler's time when 2,000 digests
// fall due together. The library hands out one array until its articles change, so they are read once per array.
const timesByList = new WeakMap<readonly Article[], Float64Array>();

/** Each article's publication time in ms, NaN for an unpublished one. */
function publishedTimes(articles: readonly Article[]): Float64Array {
  let times = timesByList.get(articles);
  if (times?.length !== articles.length) {
    times = Float64Array.from(articles, (a) => (a.published ? a.publishedAt.getTime() : Number.NaN));
    timesByList.set(articles, times);
  }
  return times;
}

/**
 * The channel's next digest. Candidates are the published articles of the window that pass the channel's filters
 * (for a since-last window: those that became eligible since the previous run, however late their file came);
 * the best-ranked article of each story leads it, and a story is one whatever file or score it comes back with:
 * articles sharing a URL (their own or one of their related coverage) are one story. Stories the channel already
 * received, and stories past the per-outlet cap, give way to the next ones.
 */
export function chooseDigest(input: DigestInput): DigestChoice {
  const { articles, now, settings, seen, eligibleAt } = input;
  const { publishedAfter, eligibleFrom } = windowBounds(settings.window, now, input.lastDigestAt, input.maxAgeHours);
  const end = now.getTime();
  const times = publishedTimes(articles);
  const inWindow: Article[] = [];
  for (let i = 0; i < articles.length; i++) {
    const t = times[i]!;
    // An unpublished article's NaN fails both comparisons.
    if (!(t > publishedAfter && t <= end)) continue;
    const a = articles[i]!;
    if (eligibleFrom === Number.NEGATIVE_INFINITY || (eligibleAt?.get(a.url) ?? t) >= eligibleFrom) inWindow.push(a);
  }
  const window = describeWindow(settings.window, input.maxAgeHours);
  if (inWindow.length === 0) {
    return { ok: false, reason: 'nothing-new', detail: `No article was published ${window}.` };
  }
  const candidates = inWindow.filter(compileArticleFilter(settings));
  if (candidates.length === 0) {
    return {
      ok: false,
      reason: 'all-filtered',
      detail: `${plural(inWindow.length, 'article was', 'articles were')} published ${window}, but none matches this channel's filters (${describeFilters(settings)}).`,
    };
  }

  const size = clamp(settings.size, 1, DIGEST_SIZE_MAX);
  const maxPerProvider = clamp(settings.maxPerProvider, 1, DIGEST_SIZE_MAX);
  const queue = new RankedQueue(candidates, compareArticles);
  const selection: Selection = { claimed: new Map(), folded: new Set(), chosen: [], perProvider: new Map(), seenStories: 0 };
  do {
    fill(selection, queue, seen, size, maxPerProvider);
    foldRemaining(queue.rest(), selection);
  } while (dropReceived(selection, seen));
  const { chosen } = selection;
  if (chosen.length === 0) {
    return {
      ok: false,
      reason: 'all-seen',
      detail: `${selection.seenStories === 1 ? 'The only story' : `All ${selection.seenStories} stories`} published ${window} ${selection.seenStories === 1 ? 'was' : 'were'} already sent to this channel.`,
    };
  }
  return {
    ok: true,
    stories: chosen.map((d) => ({ lead: d.lead, related: storyCoverage(d.lead, d.others), urls: [...d.urls] })),
  };
}
