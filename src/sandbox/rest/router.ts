import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { RESTJSONErrorCodes } from 'discord.js';
import type { Logger } from '../../log.js';
import { HttpError, httpError, statusError } from '../errors.js';
import { FAULT_RETRY_AFTER_MS, type RestFaults } from '../faults.js';
import { rateLimitBody, rateLimitHeaders, type RateLimiter, type RateLimitVerdict } from '../rateLimits.js';
import { channelRoutes } from './channels.js';
import { commandRoutes } from './commands.js';
import { interactionRoutes } from './interactions.js';
import type { Route, RouteResult, SandboxCore } from './route.js';
import { sessionRoutes } from './session.js';
import { threadRoutes } from './threads.js';

// The HTTP side: /api/v10 routing, bot-token auth, injected faults, rate limits, JSON bodies, and a record of
// every request. Each request is one structured log line, with interaction tokens replaced by the route pattern.

export interface RecordedRequest {
  method: string;
  /** The path below /api/v10, decoded (so `@original`), without the query. */
  path: string;
  body: unknown;
  status: number;
}

export interface RouterOptions {
  core: SandboxCore;
  token: string;
  faults: RestFaults;
  rateLimiter: RateLimiter;
  logger: Logger;
  now?: () => number;
}

const API_PREFIX = '/api/v10';
// Each pattern split into segments once, not on every request.
const ROUTES = [...sessionRoutes, ...channelRoutes, ...threadRoutes, ...commandRoutes, ...interactionRoutes].map((route) => ({ route, pattern: route.pattern.split('/').slice(1) }));

/** The route and parameters for a path, or undefined; `methodKnown` tells a 405 from a 404. */
function matchRoute(method: string, segments: string[]): { route: Route; params: Record<string, string> } | { route: undefined; methodKnown: boolean } {
  let methodKnown = false;
  for (const { route, pattern } of ROUTES) {
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((part, i) => {
      if (part.startsWith(':')) {
        params[part.slice(1)] = segments[i]!;
        return true;
      }
      return part === segments[i];
    });
    if (!matches) continue;
    if (route.method === method) return { route, params };
    methodKnown = true;
  }
  return { route: undefined, methodKnown };
}

export class Router {
  readonly requests: RecordedRequest[] = [];
  unknownRoutes = 0;
  private readonly now: () => number;

  constructor(private readonly options: RouterOptions) {
    this.now = options.now ?? Date.now;
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const raw = await readBody(request);
    const tripMs = this.options.faults.takeTripDelay(url.pathname.slice(API_PREFIX.length));
    if (tripMs > 0) await sleep(tripMs);
    let path = url.pathname;
    let pattern = 'unknown';
    let body: unknown = raw === '' ? undefined : raw;
    let headers: Record<string, string> = {};
    let result: RouteResult;
    try {
      if (!path.startsWith(`${API_PREFIX}/`)) throw this.unknown(false);
      const segments = path.slice(API_PREFIX.length).split('/').slice(1).map(decodeURIComponent);
      path = `/${segments.join('/')}`;
      const match = matchRoute(method, segments);
      if (!match.route) throw this.unknown(match.methodKnown);
      pattern = match.route.pattern;
      if (match.route.auth && request.headers.authorization !== `Bot ${this.options.token}`) throw statusError(401);
      const gate = this.gate(path, match.route, match.params);
      headers = gate.headers;
      if (gate.refused) {
        result = gate.refused;
      } else {
        body = parseJson(raw);
        result = match.route.handle({ core: this.options.core, params: match.params, query: url.searchParams, body, now: this.now() });
      }
    } catch (error) {
      if (error instanceof HttpError) {
        result = { status: error.status, body: error.body };
      } else {
        // A sandbox bug must not look like the bot's fault: log it and answer as Discord's own outage would.
        this.options.logger.error({ event: 'sandbox_route_failed', route: pattern, err: error instanceof Error ? error.message : String(error) }, 'sandbox route failed');
        result = { status: 500, body: statusError(500).body };
      }
    }
    this.requests.push({ method, path, body, status: result.status });
    this.options.logger.debug({ event: 'sandbox_request', method, route: pattern, status: result.status }, 'sandbox REST request');
    const delayMs = this.options.faults.takeAnswerDelay(path);
    if (delayMs > 0) await sleep(delayMs);
    respond(response, result.status, result.body, headers);
  }

  private unknown(methodKnown: boolean): HttpError {
    this.unknownRoutes++;
    return statusError(methodKnown ? 405 : 404);
  }

  /** Injected faults and rate limits: the response headers, and the 429 or 500 that refuses the request if any. */
  private gate(path: string, route: Route, params: Record<string, string>): { headers: Record<string, string>; refused?: RouteResult } {
    const now = this.now();
    const fault = this.options.faults.take(path);
    if (fault) this.options.logger.info({ event: 'sandbox_fault', fault: `rest_${fault.status}`, global: fault.global, route: route.pattern }, 'injected REST fault');
    if (fault?.status === 500) return { headers: {}, refused: { status: 500, body: statusError(500).body } };
    const verdict: RateLimitVerdict = fault
      ? { limited: true, global: fault.global, retryAfterMs: FAULT_RETRY_AFTER_MS }
      : this.options.rateLimiter.check(now, {
          bucket: route.bucket && { name: route.bucket, channelId: params.channel! },
          exemptFromGlobal: !route.auth,
        });
    const headers = rateLimitHeaders(verdict, now);
    if (!verdict.limited) return { headers };
    if (!fault) this.options.logger.info({ event: 'sandbox_rate_limited', global: verdict.global, route: route.pattern, retryAfterMs: verdict.retryAfterMs }, 'rate limited');
    return { headers, refused: { status: 429, body: rateLimitBody(verdict) } };
  }
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw httpError(400, RESTJSONErrorCodes.RequestBodyContainsInvalidJSON, 'The request body contains invalid JSON.');
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function respond(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}
