// Whether a digest can be posted where it is asked to go, beyond the bot's permissions there: a locked thread takes
// no post from the bot, only an announcement channel publishes to followers, and a forum opens a post per digest,
// which a live digest (a post every few minutes) would flood.
import { ChannelType, PermissionFlagsBits } from 'discord.js';
import type { GuildBasedChannel, GuildMember } from 'discord.js';
import type { SubscriptionInput } from '../../../state/types.js';
import { displayText } from '../../../util/text.js';
import { mention } from './pick.js';

/** Why the bot cannot post in `channel` as it is now (a locked thread), or null. */
export function closedChannel(channel: GuildBasedChannel, me: GuildMember | null): string | null {
  if (!channel.isThread() || !channel.locked) return null;
  if (me && channel.permissionsFor(me)?.has(PermissionFlagsBits.ManageThreads)) return null;
  return `${mention(channel.id)} is locked: only moderators may post in it. Unlock it, or pick another channel or thread.`;
}

/**
 * Why `digest` cannot be saved as it is for `channel` (the one it will post in, when the bot knows it), or null.
 * Checked on the whole digest after every option is applied, so an edit that moves a publishing digest to a text
 * channel is caught as surely as `publish` given for one.
 */
export function targetProblem(digest: SubscriptionInput, channel: GuildBasedChannel | undefined): string | null {
  if (!channel) return null;
  const name = `**${displayText(digest.name, 60)}**`;
  if (digest.publish && channel.type !== ChannelType.GuildAnnouncement) {
    return `\`publish\` sends each message of a digest to the servers that follow an announcement channel, and ${mention(channel.id)} is not one. Pick an announcement channel, or set \`publish:False\` for ${name}.`;
  }
  if (digest.kind === 'live' && channel.type === ChannelType.GuildForum) {
    return `${mention(channel.id)} is a forum, where each digest opens a new post, and a live digest posts every few minutes. Pick a text or announcement channel, or one post (thread) of the forum, for ${name}.`;
  }
  return null;
}
