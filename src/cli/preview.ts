// The digest as a terminal shows it, for `npm run digest`: what would be posted, readable without Discord.
import type { Article } from '../articles/types.js';
import { cleanText, plural, truncate } from '../util/text.js';
import { timeAgo } from '../util/timeAgo.js';
import { chooseDigest, type DigestChoice, type Story } from '../digest/choose.js';
import { outletName } from '../digest/embed.js';
import { DEFAULT_DIGEST_TITLE, digestHeading } from '../digest/header.js';
import { describeWindow, type DigestSettings, type DigestWindow } from '../digest/settings.js';


// Sample content and test corpora are older than a day: a preview widens its window step by step rather than show
// nothing, and says so.
const WIDER_WINDOWS: DigestWindow[] = [{ kind: 'hours', hours: 24 }, { kind: 'hours', hours: 24 * 7 }, { kind: 'all' }];

export interface PreviewChoice {
  choice: DigestChoice;
  window: DigestWindow;
  /** True when the window was widened because the narrower ones held nothing new. */
  widened: boolean;
}

/**
 * The digest a channel with `settings` would receive now, with no previous digest. Without an explicit window the
 * preview tries the last 24 h, then 7 days, then everything, and keeps the first that holds any new article.
 */
export function choosePreview(articles: readonly Article[], now: Date, settings: DigestSettings, explicitWindow: boolean): PreviewChoice {
  const windows = explicitWindow ? [settings.window] : WIDER_WINDOWS;
  let result: PreviewChoice | undefined;
  for (const [index, window] of windows.entries()) {
    const choice = chooseDigest({ articles, now, settings: { ...settings, window }, lastDigestAt: null, seen: new Set() });
    result = { choice, window, widened: index > 0 };
    if (choice.ok || choice.reason !== 'nothing-new') break;
  }
  return result!;
}

const EXCERPT_PREVIEW_MAX = 160;
const RELATED_NAMES_MAX = 4;

function storyLines(story: Story, rank: number, now: Date): string[] {
  const { lead } = story;
  const facts = [outletName(lead), timeAgo(lead.publishedAt, now), ...(lead.topics.length ? [lead.topics.map(cleanText).join(', ')] : [])];
  const lines = [`${String(rank).padStart(2)}. ${cleanText(lead.title)}`, `    ${facts.join(' · ')}`];
  const excerpt = truncate(cleanText(lead.excerpt), EXCERPT_PREVIEW_MAX);
  if (excerpt) lines.push(`    ${excerpt}`);
  lines.push(`    ${lead.url}`);
  if (story.related.length > 0) {
    const names = story.related.slice(0, RELATED_NAMES_MAX).map(outletName);
    const more = story.related.length - names.length;
    lines.push(`    Also covered by ${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  return lines;
}

export interface PreviewText {
  now: Date;
  timezone: string;
  window: DigestWindow;
  widened: boolean;
  title?: string;
}

/** The stories grouped as they would be posted (one group per message), as plain text for a terminal. */
export function renderPreview(storiesPerMessage: Story[][], options: PreviewText): string {
  const heading = digestHeading(options.title ?? DEFAULT_DIGEST_TITLE, options.now, options.timezone);
  const count = storiesPerMessage.length;
  const stories = storiesPerMessage.flat().length;
  const out = [heading, `${plural(stories, 'story', 'stories')} published ${describeWindow(options.window)}, in ${plural(count, 'message', 'messages')}`];
  if (options.widened) out.push('(nothing was published in the last 24 h, so the preview looks further back)');
  let rank = 0;
  storiesPerMessage.forEach((group, index) => {
    out.push('', count > 1 ? `── message ${index + 1} of ${count} ──` : '──');
    for (const story of group) out.push(...storyLines(story, ++rank, options.now), '');
  });
  return out.join('\n').trimEnd() + '\n';
}
