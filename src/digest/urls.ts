// URLs as Discord accepts them. Discord refuses a whole message for one bad URL in an embed, and its API checks them
// as RFC 3986 URIs of at most 2,048 characters, which is stricter than what a browser (or safeHttpUrl) accepts.
import { EMBED_URL_MAX } from '../discord/limits.js';
import { safeHttpUrl } from '../util/text.js';

// Everything RFC 3986 allows unencoded after the authority, plus "%" when it starts a valid escape.
const NOT_URI_CHARACTER = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]/g;

function percentEncode(character: string): string {
  return [...Buffer.from(character, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/**
 * `raw` as a URL fit for an embed (http(s), RFC 3986 characters only, within Discord's length), or null when it
 * cannot be one: the caller then leaves that link, image or icon out.
 */
export function embedUrl(raw: unknown): string | null {
  const href = safeHttpUrl(raw);
  if (!href) return null;
  const url = new URL(href);
  // The authority is already canonical (punycode host); only what follows it may hold "|", "^", "[", stray "%"…
  const authority = `${url.protocol}//${url.host}`;
  const encoded = authority + href.slice(authority.length).replace(NOT_URI_CHARACTER, percentEncode);
  return encoded.length <= EMBED_URL_MAX ? encoded : null;
}

/** An embed URL that can also sit inside a markdown link `[text](url)`, where a bare parenthesis would end it. */
export function markdownLinkUrl(raw: unknown): string | null {
  return embedUrl(raw)?.replace(/\(/g, '%28').replace(/\)/g, '%29') ?? null;
}
