// Discord's rate limits as the sandbox enforces them: a fixed-window bucket per route and major parameter (POST
// /channels/{id}/messages: 5 per 5 s per channel, threads included; publishing a message: 10 per hour per channel)
// and a global 50 requests per second per bot, which interaction endpoints are exempt from. One limiter serves every
// caller of the token, as Discord counts the global limit per bot whichever connection or process sends.
// https://discord.com/developers/docs/topics/rate-limits

export interface BucketState {
  limit: number;
  remaining: number;
  /** Milliseconds until the window resets. */
  resetAfterMs: number;
}

export interface Window {
  limit: number;
  windowMs: number;
}

/** A fixed window that opens with its first request, as Discord's buckets do. */
class FixedWindow {
  private startedAt = -Infinity;
  private used = 0;

  constructor(private readonly window: Window) {}

  /** Counts one request if the window has room; returns whether it was allowed and the state after it. */
  take(now: number): { allowed: boolean; state: BucketState } {
    if (now - this.startedAt >= this.window.windowMs) {
      this.startedAt = now;
      this.used = 0;
    }
    const allowed = this.used < this.window.limit;
    if (allowed) this.used++;
    return { allowed, state: { limit: this.window.limit, remaining: this.window.limit - this.used, resetAfterMs: this.startedAt + this.window.windowMs - now } };
  }
}

export interface RateLimitOptions {
  channelMessages: Window;
  global: Window;
  /** Discord's own when left out: a test about messages need not restate it. */
  crosspost?: Window;
}

/** The routes with a bucket of their own, per channel. */
export type BucketName = 'channelMessages' | 'crosspost';

const HOUR_MS = 3_600_000;

export const DISCORD_RATE_LIMITS: Required<RateLimitOptions> = {
  channelMessages: { limit: 5, windowMs: 5000 },
  crosspost: { limit: 10, windowMs: HOUR_MS },
  global: { limit: 50, windowMs: 1000 },
};

export type RateLimitVerdict =
  | { limited: false; bucket?: { hash: string; state: BucketState } }
  | { limited: true; global: boolean; retryAfterMs: number; bucket?: { hash: string; state: BucketState } };

/** The bucket hash Discord reports for each route, constant across its major parameters. */
const BUCKET_HASHES: Record<BucketName, string> = {
  channelMessages: 'a06de2c9f4b1e3a8d7c5b90e1f2a3b4c',
  crosspost: '5c1e0f9a7b3d4e2c8a6f1b0d9e7c3a5b',
};

export class RateLimiter {
  private readonly globalWindow: FixedWindow;
  private readonly windows = new Map<string, FixedWindow>();
  private readonly options: Required<RateLimitOptions>;
  private readonly refused = { global: 0, route: 0 };

  constructor(options: RateLimitOptions = DISCORD_RATE_LIMITS) {
    this.options = { ...DISCORD_RATE_LIMITS, ...options };
    this.globalWindow = new FixedWindow(options.global);
  }

  /**
   * Decides one request. `bucket` is the route's own bucket and the channel it is for (its major parameter), if
   * the route has one; `exemptFromGlobal` is true for interaction callbacks and webhooks, which Discord does not
   * count globally.
   */
  check(now: number, request: { bucket?: { name: BucketName; channelId: string }; exemptFromGlobal: boolean }): RateLimitVerdict {
    if (!request.exemptFromGlobal) {
      const global = this.globalWindow.take(now);
      if (!global.allowed) {
        this.refused.global++;
        return { limited: true, global: true, retryAfterMs: global.state.resetAfterMs };
      }
    }
    if (request.bucket === undefined) return { limited: false };
    const { name, channelId } = request.bucket;
    const key = `${name}:${channelId}`;
    let window = this.windows.get(key);
    if (!window) {
      window = new FixedWindow(this.options[name]);
      this.windows.set(key, window);
    }
    const { allowed, state } = window.take(now);
    const bucket = { hash: BUCKET_HASHES[name], state };
    if (allowed) return { limited: false, bucket };
    this.refused.route++;
    return { limited: true, global: false, retryAfterMs: state.resetAfterMs, bucket };
  }

  /** How many requests were refused so far by the global limit and by route buckets. */
  refusals(): { global: number; route: number } {
    return { ...this.refused };
  }
}

const seconds = (ms: number) => Math.max(0, ms) / 1000;

/** The headers Discord sends with a bucketed response, and with a 429 (where Retry-After is whole seconds). */
export function rateLimitHeaders(verdict: RateLimitVerdict, now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  if (verdict.bucket) {
    const { state, hash } = verdict.bucket;
    headers['x-ratelimit-limit'] = String(state.limit);
    headers['x-ratelimit-remaining'] = String(state.remaining);
    headers['x-ratelimit-reset'] = seconds(now + state.resetAfterMs).toFixed(3);
    headers['x-ratelimit-reset-after'] = seconds(state.resetAfterMs).toFixed(3);
    headers['x-ratelimit-bucket'] = hash;
  }
  if (verdict.limited) {
    headers['retry-after'] = String(Math.ceil(seconds(verdict.retryAfterMs)));
    headers['x-ratelimit-scope'] = verdict.global ? 'global' : 'user';
    if (verdict.global) headers['x-ratelimit-global'] = 'true';
  }
  return headers;
}

/** Discord's 429 body: `retry_after` in (fractional) seconds. */
export function rateLimitBody(verdict: Extract<RateLimitVerdict, { limited: true }>): { message: string; retry_after: number; global: boolean; code?: number } {
  return { message: 'You are being rate limited.', retry_after: Number(seconds(verdict.retryAfterMs).toFixed(3)), global: verdict.global };
}
