// Tries again what failed for a reason that passes (a rate limit, Discord's 5xx, the network): after Discord's hint,
// or a delay that doubles. A failure that cannot pass, or one still there after the last try, is the caller's.
import { setTimeout as sleep } from 'node:timers/promises';

/** Why a request to Discord failed; `permanent`: trying again cannot help. `retryAfterMs` is Discord's hint, if any. */
export interface Failure {
  ok: false;
  permanent: boolean;
  reason: string;
  retryAfterMs?: number;
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The first delay, doubled at each try, when Discord gives no hint. */
  baseDelayMs: number;
  /** A longer wait is not made: the failure is returned at once (an hourly bucket must not hold a channel's digests). */
  maxWaitMs?: number;
}

export interface RetryHooks<T> {
  /** True once waiting makes no sense any more (the bot is stopping). */
  stopping(): boolean;
  onRetry(attempt: number, delayMs: number, reason: string): void;
  /**
   * Before trying again: whether the failed try took effect after all (an answer lost on its way back), as a result
   * to return instead, or undefined to try again.
   */
  recheck?(): Promise<T | Failure | undefined>;
}

export async function withRetries<T extends { ok: true }>(attempt: () => Promise<T | Failure>, policy: RetryPolicy, hooks: RetryHooks<T>): Promise<T | Failure> {
  for (let tries = 1; ; tries++) {
    const result = await attempt();
    if (result.ok || result.permanent || tries >= policy.attempts || hooks.stopping()) return result;
    const delayMs = result.retryAfterMs ?? policy.baseDelayMs * 2 ** (tries - 1);
    if (policy.maxWaitMs !== undefined && delayMs > policy.maxWaitMs) return result;
    hooks.onRetry(tries, delayMs, result.reason);
    await sleep(delayMs);
    const settled = await hooks.recheck?.();
    if (settled) return settled;
  }
}
