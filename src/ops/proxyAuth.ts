// Which requests the REST proxy relays: Newsdesk's own, and nobody else's. Every request relayed spends a place in the
// one global window (50 a second) of the proxy's REST queue, which the digests wait in too, whatever token it carries;
// and relayed to Discord, a stranger's request would go out from this machine's address, which Discord bans for an
// hour past 10,000 refused requests in 10 minutes.
// https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans
import { createHash, timingSafeEqual } from 'node:crypto';

export interface ProxyCredentials {
  /** The bot token every Newsdesk process has (DISCORD_TOKEN). */
  token: string;
  /** The bot's application id (DISCORD_CLIENT_ID): interaction replies are edited and followed up on its webhook. */
  applicationId: string;
}

/**
 * Whether a request for `route` (the path after /api/vN) with `authorization` (its header) is Newsdesk's: it carries
 * `Bot <token>`, or it carries no Authorization on a route Discord authorises by the token in its path instead.
 */
export function newsdeskRequest({ token, applicationId }: ProxyCredentials): (route: string, authorization: string | undefined) => boolean {
  const expected = digest(`Bot ${token}`);
  // discord.js sends these without Authorization: interaction callbacks, and this application's webhook routes, which
  // interaction replies are edited and followed up through. Another application's webhook is not Newsdesk's to post to.
  const tokenInPath = new RegExp(`^/(?:interactions/\\d+/[^/]+/callback|webhooks/${applicationId}/[^/]+(?:/.*)?)$`);
  return (route, authorization) => (authorization === undefined ? tokenInPath.test(route) : timingSafeEqual(digest(authorization), expected));
}

// Digests of one length whatever was sent, so that timingSafeEqual compares them in constant time and the length of
// the token is not given away either.
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
