// Was this message already posted? Discord honours `enforce_nonce` for a few minutes only, so a message whose post
// was attempted but never recorded (a crash or SIGKILL in between, a full disk, an answer lost on the way back) is
// looked for among the channel's recent messages before it is ever sent again.

/** The parts of a message in a channel that tell whether it is one of ours. */
export interface PostedMessage {
  id: string;
  content: string;
  embeds: readonly { title?: string; url?: string; description?: string }[];
}

/** A channel's recent messages by the bot, newest first, or why they could not be read. */
export type HistoryResult = { ok: true; messages: PostedMessage[] } | { ok: false; reason: string };

export type History = (channelId: string) => Promise<HistoryResult>;

interface PlannedBody {
  content?: string;
  embeds?: readonly { title?: string; url?: string; description?: string }[];
}

// Discord trims what it stores; compare the way it gives text back.
const same = (a: string | undefined, b: string | undefined) => (a ?? '').trim() === (b ?? '').trim();

/**
 * The id of the message in `recent` that is `payload` as posted: the same content and, embed for embed, the same
 * title, link and description. Every digest message names its stories' links, so two different messages never match.
 */
export function findPosted(payload: object, recent: readonly PostedMessage[]): string | undefined {
  const planned = payload as PlannedBody;
  const embeds = planned.embeds ?? [];
  const match = recent.find(
    (message) =>
      same(message.content, planned.content) &&
      message.embeds.length === embeds.length &&
      embeds.every((e, i) => same(e.title, message.embeds[i]!.title) && same(e.url, message.embeds[i]!.url) && same(e.description, message.embeds[i]!.description)),
  );
  return match?.id;
}
