// A forum takes posts, not messages: each run of a forum's digest opens a post (a thread and its first message)
// titled with the digest's date, and the run's later messages go into that post. Discord has no nonce for a new
// post, so a post attempted but not recorded is looked for among the forum's open posts before another is opened.
import { THREAD_NAME_MAX } from '../discord/limits.js';
import { DEFAULT_DIGEST_TITLE, digestHeading } from '../digest/header.js';
import { LIVE_TITLE } from '../schedule/liveBatch.js';
import type { Subscription } from '../state/types.js';
import { truncate } from '../util/text.js';
import type { SendResult } from './runs.js';
import type { HistoryResult } from './reconcile.js';

export interface ForumPosts {
  /** Whether the channel is a forum, whose digests open a post each. */
  isForum(channelId: string): Promise<boolean>;
  /** Opens a post titled `title` with `message` (a message create body without nonce); the answer's id is the post's. */
  start(forumId: string, title: string, message: object): Promise<SendResult>;
  /**
   * The bot's open posts in the forum, each as its first message (which has the post's id), or why they could not
   * be read. A post must stay open (unarchived) at least a day after its last message, longer than a run is ever
   * resumed after (12 hours), so that an interrupted run finds its post here.
   */
  list(forumId: string): Promise<HistoryResult>;
}

/** Where one message of a run goes: a channel or thread, or (the first message of a forum's run) a new post. */
export type Place = { channelId: string } | { forumId: string; title: string };

/**
 * "Daily digest — Friday, 20 November": the first message's heading, dated in the digest's zone at the moment the
 * run was planned (when the heading was written), so a resumed run gives its post the same title.
 */
export function forumPostTitle(digest: Pick<Subscription, 'kind' | 'timezone'> | undefined, plannedAt: Date): string {
  const heading = digestHeading(digest?.kind === 'live' ? LIVE_TITLE : DEFAULT_DIGEST_TITLE, plannedAt, digest?.timezone ?? 'UTC');
  return truncate(heading, THREAD_NAME_MAX);
}
