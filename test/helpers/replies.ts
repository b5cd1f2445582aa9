// What a member sees of the bot's answers and posts in the sandbox, read the same way by every end-to-end test.
import { InteractionResponseType, type ButtonStyle } from 'discord.js';
import type { InteractionReply } from '../../src/sandbox/driver.js';
import type { DiscordSandbox } from '../../src/sandbox/server.js';

export interface ShownEmbed {
  title?: string;
  url?: string;
  description?: string;
  author?: { name?: string };
  footer?: { text: string };
  fields?: { name: string; value: string }[];
}

/** A message body as sent, with the parts the tests read. */
export interface ShownMessage {
  content?: string;
  flags?: number;
  embeds?: ShownEmbed[];
  components?: { components: { custom_id: string; label: string; disabled?: boolean; style: ButtonStyle }[] }[];
  allowed_mentions?: { parse: string[]; roles?: string[] };
}

/** What the member finally sees: the reply, or for a deferred one the edit that filled it in. */
export function shown(reply: InteractionReply): ShownMessage {
  const deferred = reply.type === InteractionResponseType.DeferredChannelMessageWithSource;
  return ((deferred ? reply.edits.at(-1) : reply.body) ?? {}) as ShownMessage;
}

/** The text the member reads in a reply: its content and its embeds' field values. */
export function shownText(reply: InteractionReply): string {
  const message = shown(reply);
  return [message.content ?? '', ...(message.embeds ?? []).flatMap((e) => (e.fields ?? []).map((f) => f.value))].join('\n');
}

/** The bodies the bot posted to a channel and Discord accepted, as sent (nonce and allowed_mentions included). */
export function channelPosts(sandbox: DiscordSandbox, channelId: string): ShownMessage[] {
  return sandbox.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages` && r.status < 300).map((r) => r.body as ShownMessage);
}
