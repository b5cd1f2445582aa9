// The REST proxy several Newsdesk processes send through (DISCORD_API_URL pointed here), so that one REST queue — and
// so one view of the token's rate limits — stands between all of them and Discord. Built from @discordjs/proxy's
// pieces rather than its proxyRequests(), which fails Newsdesk twice: it streams the request body to Discord once, so
// the retry after a 500 or a 429 sends it empty (Discord answers 400 and the digest message is lost); and it tells
// Discord's errors apart with instanceof against @discordjs/rest's ES module build, while discord.js (CommonJS) makes
// the REST's errors from the other build, so every error answer escaped as an uncaught rejection and ended the process.
import http from 'node:http';
import { populateAbortErrorResponse, populateGeneralErrorResponse, populateRatelimitErrorResponse, populateSuccessfulResponse } from '@discordjs/proxy';
import { DiscordAPIError, HTTPError, RateLimitError, REST, type RequestMethod, type RouteLike } from 'discord.js';
import { anchorGlobalWindow } from '../discord/globalWindow.js';
import type { Logger } from '../log.js';
import { closeServer, listen, refuseMalformed } from './listen.js';
import { newsdeskRequest, type ProxyCredentials } from './proxyAuth.js';

export interface RestProxyOptions extends ProxyCredentials {
  /** Where Discord is: https://discord.com/api, or a Discord-compatible server (the sandbox in tests). */
  upstream: string;
  port: number;
  host: string;
  logger: Logger;
  /** Called with the proxy's REST before the first request, e.g. to count its 429s (countRateLimits). */
  observe?: (rest: REST) => void;
}

export interface RestProxy {
  /** What every Newsdesk process sets as DISCORD_API_URL. */
  readonly apiUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

// Discord's largest request (a message with 25 MiB of files, and its form fields): a bigger body is not for Discord.
const MAX_BODY_BYTES = 26 * 1024 * 1024;
const REFUSAL_LOG_MS = 60_000;

export async function startRestProxy({ upstream, token, applicationId, port, host, logger, observe }: RestProxyOptions): Promise<RestProxy> {
  // Each request relayed keeps the Authorization header its bot sent (or none, as interaction replies have none),
  // which is what @discordjs/proxy forwards too; but only Newsdesk's own requests are relayed (proxyAuth.ts).
  // Behind one proxy shared by several busy processes, the first request of a window can take longer on its way than
  // discord.js's 50 ms margin: the window is counted from Discord's answer to it instead (globalWindow.ts).
  const rest = new REST({ api: upstream });
  anchorGlobalWindow(rest);
  observe?.(rest);
  const isNewsdesk = newsdeskRequest({ token, applicationId });
  const refused = refusalLog(logger);
  const server = http.createServer((request, response) => {
    const route = apiRoute(request.url);
    // Refused before its body is read or it is queued: a stranger's request spends nothing of the token's limits.
    if (!route || !isNewsdesk(route.pathname, request.headers.authorization)) {
      refused(request.method, request.url);
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: '401: Unauthorized', code: 0 }));
      return;
    }
    relay(rest, route, request, response).catch((error: unknown) => {
      // Not Discord's answer but a failure to reach it (after the REST's own retries): the bot retries as after a 502.
      logger.warn({ event: 'proxy.upstream_failed', method: request.method, route: safeRoute(request.url), err: describe(error) }, 'could not reach Discord');
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'The REST proxy could not reach Discord.', code: 0 }));
    });
  });
  server.on('clientError', (_error, socket) => refuseMalformed(socket));
  const { port: bound, url } = await listen(server, port, host);
  const apiUrl = `${url}/api`;
  logger.info({ event: 'proxy.listening', apiUrl, upstream }, 'REST proxy listening: set DISCORD_API_URL to apiUrl in every Newsdesk process');
  return {
    apiUrl,
    port: bound,
    close: () => {
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
      return closeServer(server);
    },
  };
}

/** One request through the shared queue, answered with Discord's response (its rate-limit headers dropped). */
async function relay(rest: REST, route: URL, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const body = await readBody(request);
  if (body === undefined) {
    response.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Request entity too large', code: 40005 }));
    return;
  }
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'authorization', 'x-audit-log-reason']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  try {
    const answer = await rest.queueRequest({
      fullRoute: route.pathname as RouteLike,
      // An unknown method goes to Discord as is, for Discord to refuse.
      method: request.method as RequestMethod,
      auth: false,
      passThroughBody: true,
      // A Buffer, not the request stream: the REST can send it again when it retries.
      body: body.length > 0 ? body : undefined,
      query: route.searchParams,
      headers,
    });
    await populateSuccessfulResponse(response, answer);
  } catch (error) {
    if (error instanceof DiscordAPIError || error instanceof HTTPError) populateGeneralErrorResponse(response, error);
    else if (error instanceof RateLimitError) populateRatelimitErrorResponse(response, error);
    else if (error instanceof Error && error.name === 'AbortError') populateAbortErrorResponse(response);
    else throw error;
  }
  response.end();
}

/**
 * The request's URL with the route as Discord's REST names it in pathname (the part after /api/vN), or undefined for
 * a request target that is no URL: not one Newsdesk's REST sends, and parsing it must not throw in the handler.
 */
function apiRoute(path: string | undefined): URL | undefined {
  if (!URL.canParse(path ?? '/', 'http://proxy')) return undefined;
  const url = new URL(path ?? '/', 'http://proxy');
  // The bot's REST asks for /api/v10/…; the proxy's REST adds its own version in front of the route.
  url.pathname = url.pathname.replace(/^\/api(\/v\d+)?/, '');
  return url;
}

/**
 * Logs refused requests: the first at once, then one line a minute at most with how many there were, so that a
 * misconfigured bot is seen at once and a flood cannot fill the disk. Never the Authorization, nor a path's token.
 */
function refusalLog(logger: Logger): (method: string | undefined, path: string | undefined) => void {
  let last = -Infinity;
  let count = 0;
  return (method, path) => {
    count++;
    if (Date.now() - last < REFUSAL_LOG_MS) return;
    logger.warn({ event: 'proxy.refused', method, route: safeRoute(path), refused: count },
      'refused requests without this bot\'s token (DISCORD_TOKEN): a Newsdesk process with another token, or someone else reaching the proxy');
    last = Date.now();
    count = 0;
  };
}

/** The whole body, or undefined past MAX_BODY_BYTES (read to its end all the same, so the answer can be sent). */
async function readBody(request: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined;
}

/** A request path fit for a log line: interaction and webhook tokens are credentials too. */
function safeRoute(path: string | undefined): string {
  return (path ?? '/').split('?')[0]!.replace(/\/(interactions|webhooks)\/(\d+)\/[^/]+/, '/$1/$2/:token');
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  return code ? `${error.message} (${String(code)})` : error.message;
}
