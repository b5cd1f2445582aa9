// Publishing (crossposting) an announcement channel's digest to the servers that follow the channel. A message is
// published only after it is recorded as sent, so no failure of publishing can ever post it again, and it is marked
// owed in that very record, so a crash before its publication cannot forget it. Discord allows 10 publications an
// hour in a channel: a message refused for that stays owed until the next run of a digest that publishes there
// (after a restart too).
import type { Logger } from '../log.js';
import type { StateStore } from '../state/stateStore.js';
import type { OwedPublication } from '../state/types.js';
import { plural } from '../util/text.js';
import { withRetries, type Failure, type RetryPolicy } from './retry.js';

export type PublishResult = { ok: true } | Failure;

/**
 * Publishes one of the bot's messages in an announcement channel; a message published already counts as published.
 * A Publisher that throws stands for a crash, as a Sender that throws does: the message stays owed.
 */
export type Publisher = (channelId: string, messageId: string) => Promise<PublishResult>;

const HOUR_MS = 3_600_000;
// Followers get news, not history: a message still unpublished half a day after it was posted is left as it is.
const OWED_MAX_AGE_MS = 12 * HOUR_MS;
// A run waits this long at most for a publication: the hourly bucket's wait is left to a later run.
const PUBLISH_WAIT_MAX_MS = 10_000;

export interface PublishingDeps {
  store: StateStore;
  publish: Publisher;
  logger: Logger;
  retry: RetryPolicy;
  stopping(): boolean;
}

export class Publishing {
  constructor(private readonly deps: PublishingDeps) {}

  /**
   * Publishes what the channel owes its followers, oldest first, and says in words what is left undone (null:
   * nothing). A failure is reported, not thrown: the digest itself is posted and recorded already.
   */
  async publishOwed(channelId: string): Promise<string | null> {
    const { store, logger } = this.deps;
    let owed: OwedPublication[];
    try {
      owed = await store.owedPublications(channelId, OWED_MAX_AGE_MS);
    } catch (error) {
      logger.error({ event: 'digest.publish_unreadable', channelId, err: error }, 'messages owed to followers could not be read');
      return 'not published yet: the database could not be read; it is tried again with the next digest';
    }
    let refused: string | null = null;
    for (const [position, message] of owed.entries()) {
      const context = { channelId, runId: message.runId, index: message.index, messageId: message.messageId };
      const result = await this.publishOne(channelId, message.messageId);
      if (!result.ok && !result.permanent) {
        logger.warn({ event: 'digest.publish_deferred', ...context, reason: result.reason }, 'digest message not published yet');
        return `${plural(owed.length - position, 'message', 'messages')} not published yet (${result.reason}); tried again with the next digest`;
      }
      try {
        await store.settlePublication(message.runId, message.index, result.ok ? 'published' : 'refused');
      } catch (error) {
        // Still owed: the next run publishes it again, which Discord answers with "already published".
        logger.error({ event: 'digest.publish_unrecorded', ...context, err: error }, 'a publication could not be recorded');
      }
      if (result.ok) {
        logger.debug({ event: 'digest.published', ...context }, 'digest message published to followers');
      } else {
        refused = result.reason;
        logger.warn({ event: 'digest.publish_refused', ...context, reason: result.reason }, 'Discord refused to publish a digest message');
      }
    }
    return refused === null ? null : `not published: ${refused}`;
  }

  private publishOne(channelId: string, messageId: string): Promise<PublishResult> {
    const { publish, logger, retry } = this.deps;
    return withRetries(() => publish(channelId, messageId), { ...retry, maxWaitMs: PUBLISH_WAIT_MAX_MS }, {
      stopping: () => this.deps.stopping(),
      onRetry: (attempt, delayMs, reason) => logger.info({ event: 'digest.publish_retry', channelId, messageId, attempt, delayMs, reason }, 'retrying a publication'),
    });
  }
}
