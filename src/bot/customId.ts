// Button custom_ids: the whole state a button needs, so a click works after a restart with nothing kept in memory.
// Discord caps a custom_id at CUSTOM_ID_MAX characters and returns it unchanged, but anyone can craft an
// interaction with any custom_id, so decoding trusts nothing: every field is checked and a bad one means null.
import { CUSTOM_ID_MAX } from '../discord/limits.js';
import { SNOWFLAKE_DIGITS } from '../discord/snowflake.js';
import { fnv1a } from '../util/hash.js';
import { foldForMatch } from '../util/text.js';

/** Bumped when the layout changes: buttons of older messages then get a clear "run the search again". */
const VERSION = 'nd1';
const SEPARATOR = ':';
/** The start of every paging custom_id, by which the button router finds its handler. */
export const PAGE_PREFIX = `${VERSION}${SEPARATOR}`;
// version, mode, searcher, page and days (base 36), topic and outlet tokens, then the query (which may hold ':').
const LAYOUT = new RegExp(`^nd1:([sl]):(${SNOWFLAKE_DIGITS}):([0-9a-z]{1,4}):([0-9a-z]{1,4}):([0-9a-z]{0,7}):([0-9a-z]{0,7}):(.*)$`, 'su');

/** At most this many characters of a search query travel in a custom_id (and so may be typed: the option's max). */
export const QUERY_MAX = 40;
/** The widest `days` a search accepts: ten years. */
export const DAYS_MAX = 3660;

export type SearchMode = 'search' | 'latest';

/** A page of search results as a button recreates it. Topic and outlet travel as short tokens (see nameToken). */
export interface PageState {
  mode: SearchMode;
  /** The member who searched: only they may page. */
  userId: string;
  page: number;
  /** 0: no date limit. */
  days: number;
  topicToken: string;
  providerToken: string;
  query: string;
}

/**
 * A short stable token for a topic or outlet name (FNV-1a of its folded form, base 36). A topic name may be long,
 * but the button only needs to find it again among the library's names: the search it came from matched one exactly.
 */
export function nameToken(name: string): string {
  return fnv1a(foldForMatch(name.trim())).toString(36);
}

const MODE_CODES: Record<SearchMode, string> = { search: 's', latest: 'l' };

export function encodePageState(state: PageState): string {
  const fields = [
    VERSION,
    MODE_CODES[state.mode],
    state.userId,
    state.page.toString(36),
    state.days.toString(36),
    state.topicToken,
    state.providerToken,
    // The query goes last, so it may itself hold the separator.
    state.query.slice(0, QUERY_MAX),
  ];
  const id = fields.join(SEPARATOR);
  // Cannot happen with the bounds above (at most 92 characters); a loud failure beats a button Discord refuses.
  if (id.length > CUSTOM_ID_MAX) throw new Error(`custom_id of ${id.length} characters`);
  return id;
}

/** The state a custom_id carries, or null when it is not one of ours, from an older layout, or tampered with. */
export function decodePageState(customId: string): PageState | null {
  const match = customId.length <= CUSTOM_ID_MAX ? LAYOUT.exec(customId) : null;
  if (!match) return null;
  const [, modeCode, userId = '', page = '', days = '', topicToken = '', providerToken = '', query = ''] = match;
  const state: PageState = {
    mode: modeCode === MODE_CODES.latest ? 'latest' : 'search',
    userId,
    page: parseInt(page, 36),
    days: parseInt(days, 36),
    topicToken,
    providerToken,
    query,
  };
  return state.days <= DAYS_MAX && query.length <= QUERY_MAX ? state : null;
}
