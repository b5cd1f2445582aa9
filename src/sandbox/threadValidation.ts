import { ChannelType, ThreadAutoArchiveDuration } from 'discord.js';
import { z } from 'zod';
import type { ThreadChannelType } from './channels.js';
import { messageFields, snowflake, stickerIds } from './validation.js';

// The bodies that start threads, as Discord checks them (validation.ts for the message inside a forum post).
// https://discord.com/developers/docs/resources/channel#start-thread-from-message

const THREAD_NAME_MAX = 100;
const SLOWMODE_MAX_SECONDS = 21_600;
const APPLIED_TAGS_MAX = 5;

const threadFields = {
  name: z.string().min(1).max(THREAD_NAME_MAX),
  auto_archive_duration: z.literal([
    ThreadAutoArchiveDuration.OneHour, ThreadAutoArchiveDuration.OneDay, ThreadAutoArchiveDuration.ThreeDays, ThreadAutoArchiveDuration.OneWeek,
  ]).nullable().optional(),
  rate_limit_per_user: z.number().int().min(0).max(SLOWMODE_MAX_SECONDS).nullable().optional(),
};

/** POST /channels/{id}/messages/{id}/threads: the thread's type follows from the channel. */
export const threadFromMessageSchema = z.object(threadFields);

/**
 * POST /channels/{id}/threads in a text or announcement channel, which holds the thread types `allowed`. Without a
 * type Discord still makes a private thread, the default from when threads were first documented.
 */
export function threadWithoutMessageSchema(allowed: readonly ThreadChannelType[]) {
  return z.object({
    ...threadFields,
    type: z.preprocess((type) => type ?? ChannelType.PrivateThread, z.literal([...allowed])),
    invitable: z.boolean().nullable().optional(),
  });
}

/**
 * POST /channels/{id}/threads in a forum: a post, whose first message comes with it. That message takes the fields
 * of a channel message but no nonce, reply or TTS.
 * https://discord.com/developers/docs/resources/channel#start-thread-in-forum-or-media-channel
 */
export const forumThreadSchema = z.object({
  ...threadFields,
  applied_tags: z.array(snowflake).max(APPLIED_TAGS_MAX).nullable().optional(),
  message: z.object({ ...messageFields, sticker_ids: stickerIds.optional() }),
});
