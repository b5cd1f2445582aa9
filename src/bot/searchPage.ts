// A page of search results as a message: the articles (title linking to the article, outlet, time ago) in one
// embed, and Previous/Next buttons that carry the whole search in their custom_id.
import { ButtonStyle, ComponentType } from 'discord.js';
import type { APIActionRowComponent, APIButtonComponentWithCustomId } from 'discord.js';
import type { ProviderCount, TopicCount } from '../articles/facets.js';
import type { SearchPage } from '../articles/query.js';
import type { Article } from '../articles/types.js';
import { markdownLinkUrl } from '../digest/urls.js';
import { EMBED_DESCRIPTION_MAX, EMBED_FOOTER_TEXT_MAX, EMBED_TITLE_MAX } from '../discord/limits.js';
import { displayText, plural, truncate } from '../util/text.js';
import type { NewsLibrary } from './context.js';
import { encodePageState, nameToken } from './customId.js';
import type { PageState } from './customId.js';
import { EMBED_COLOR, notice } from './replies.js';
import type { Reply } from './replies.js';
import { timeAgo } from '../util/timeAgo.js';

const SEARCH_PAGE_SIZE = 5;
// Five entries of at most this much each stay far inside the description limit, whatever the URLs.
const TITLE_MAX = 200;
const ENTRY_MAX = Math.floor(EMBED_DESCRIPTION_MAX / SEARCH_PAGE_SIZE) - 2;
const DAY_MS = 86_400_000;
// Every name the library has: autocomplete lists are small (hundreds to a few thousand), scanned in memory.
const ALL = Number.MAX_SAFE_INTEGER;

/** The search a page shows, with its topic and outlet resolved to the library's own names. */
export interface ResolvedSearch {
  state: PageState;
  topic: TopicCount | undefined;
  provider: ProviderCount | undefined;
}

/** The topic and outlet a button's tokens stand for; `missing` when the library no longer has one of them. */
export function resolveTokens(library: NewsLibrary, state: PageState): ResolvedSearch | 'missing' {
  const topic = state.topicToken ? library.topics('', ALL).find((t) => nameToken(t.name) === state.topicToken) : undefined;
  const provider = state.providerToken ? library.providers('', ALL).find((p) => nameToken(p.domain) === state.providerToken) : undefined;
  if ((state.topicToken && !topic) || (state.providerToken && !provider)) return 'missing';
  return { state, topic, provider };
}

/** One page of the search, the page number clamped to the last page (the library may have shrunk since). */
export async function searchLibrary(library: NewsLibrary, search: ResolvedSearch, now: Date): Promise<{ page: number; result: SearchPage }> {
  const { state } = search;
  const run = (page: number) =>
    library.searchInTurns({
      words: state.query || undefined,
      topic: search.topic?.name,
      provider: search.provider?.domain,
      since: state.days > 0 ? new Date(now.getTime() - state.days * DAY_MS) : undefined,
      sort: state.mode === 'latest' ? 'newest' : undefined,
      offset: page * SEARCH_PAGE_SIZE,
      limit: SEARCH_PAGE_SIZE,
    });
  const first = await run(state.page);
  const last = Math.max(0, Math.ceil(first.total / SEARCH_PAGE_SIZE) - 1);
  return state.page <= last ? { page: state.page, result: first } : { page: last, result: await run(last) };
}

const ALL_ARTICLES = 'all articles';

/** The search in words (untrusted: the query is the member's, names are the articles'). */
function describeSearch({ state, topic, provider }: ResolvedSearch): string {
  const parts = [
    state.query ? `“${state.query}”` : '',
    topic ? `topic ${topic.name}` : '',
    provider ? `from ${provider.name}` : '',
    state.days > 0 ? `last ${plural(state.days, 'day', 'days')}` : '',
  ].filter(Boolean);
  return parts.join(' · ') || ALL_ARTICLES;
}

/** The search as the end of a sentence: "“zebra” on Space from Orbit Daily in the last 2 days". */
function searchInWords({ state, topic, provider }: ResolvedSearch): string {
  return [
    state.query ? `“${state.query}”` : 'articles',
    topic ? `on ${topic.name}` : '',
    provider ? `from ${provider.name}` : '',
    state.days === 1 ? 'in the last day' : state.days > 1 ? `in the last ${plural(state.days, 'day', 'days')}` : '',
  ].filter(Boolean).join(' ');
}

function entry(article: Article, position: number, now: Date): string {
  const title = displayText(article.title, TITLE_MAX);
  const url = markdownLinkUrl(article.url);
  const heading = url ? `**${position}. [${title}](${url})**` : `**${position}. ${title}**`;
  const line = `${heading}\n${displayText(article.provider.name, 100)} · ${timeAgo(article.publishedAt, now)}`;
  // A link too long for its share of the embed is left out rather than cut (a cut URL would lead nowhere).
  return line.length <= ENTRY_MAX ? line : truncate(`**${position}. ${title}**\n${displayText(article.provider.name, 100)}`, ENTRY_MAX);
}

function pageButton(label: string, state: PageState, page: number, disabled: boolean): APIButtonComponentWithCustomId {
  return { type: ComponentType.Button, style: ButtonStyle.Secondary, label, custom_id: encodePageState({ ...state, page }), disabled };
}

/** The message showing one page; a search with no result says so and suggests a broader one (ephemeral). */
export function searchPageReply(search: ResolvedSearch, page: number, result: SearchPage, now: Date): Reply {
  const described = describeSearch(search);
  if (result.total === 0) {
    if (described === ALL_ARTICLES) return notice('The library has no articles yet.');
    const broader = search.state.days > 0 || search.topic || search.provider
      ? 'Try fewer words, a longer period, or leave out the topic or outlet.'
      : 'Try fewer or different words, or browse `/news topics`.';
    return notice(`Nothing found for ${displayText(searchInWords(search), 300)}. ${broader}`);
  }
  const pages = Math.ceil(result.total / SEARCH_PAGE_SIZE);
  const offset = page * SEARCH_PAGE_SIZE;
  const heading = search.state.mode === 'latest' ? 'Latest news' : 'News search';
  const reply: Reply = {
    embeds: [{
      title: displayText(`${heading}: ${described}`, EMBED_TITLE_MAX),
      description: result.articles.map((a, i) => entry(a, offset + i + 1, now)).join('\n\n'),
      color: EMBED_COLOR,
      footer: { text: truncate(`Page ${page + 1} of ${pages} · ${plural(result.total, 'article', 'articles')}`, EMBED_FOOTER_TEXT_MAX) },
    }],
  };
  if (pages > 1) {
    const row: APIActionRowComponent<APIButtonComponentWithCustomId> = {
      type: ComponentType.ActionRow,
      components: [
        pageButton('◀ Previous', search.state, Math.max(0, page - 1), page === 0),
        // On the last page the disabled Next keeps a distinct custom_id (page + 1), as Discord requires.
        pageButton('Next ▶', search.state, page + 1, page + 1 >= pages),
      ],
    };
    reply.components = [row];
  }
  return reply;
}
