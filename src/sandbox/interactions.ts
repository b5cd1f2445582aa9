import { InteractionResponseType, MessageFlags, RESTJSONErrorCodes } from 'discord.js';
import { INTERACTION_RESPONSE_DEADLINE_MS } from '../discord/limits.js';
import { httpError } from './errors.js';
import type { InteractionCallbackBody } from './validation.js';
import type { RecordedMessage } from './world.js';

// Interactions in flight: what the driver sent, how the bot answered (callback, then edits and follow-ups), and
// the messages those answers made. The REST routes write here; the driver awaits the answer.

export interface InteractionReply {
  /** The InteractionResponseType the bot chose (0 until it answers). */
  type: number;
  /** The callback's data, as sent. */
  body: unknown;
  /** Every later PATCH of the original response, in order. */
  edits: unknown[];
  /** Every follow-up message body, in order. */
  followUps: unknown[];
  ephemeral: boolean;
  /** The id of the message the answer shows in (the reply, or the clicked message for an update); '' for autocomplete. */
  id: string;
}

export interface PendingInteraction {
  id: string;
  token: string;
  channelId: string;
  createdAt: number;
  acknowledged: boolean;
  reply: InteractionReply;
  /** The message a component was clicked on: update answers (deferred or not) edit it. */
  componentMessage: RecordedMessage | undefined;
  original: RecordedMessage | undefined;
  followUpMessages: RecordedMessage[];
  settled: Promise<InteractionReply>;
  resolve: (reply: InteractionReply) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/** Discord's interaction tokens stay valid for follow-ups and edits for 15 minutes. */
const TOKEN_LIFETIME_MS = 15 * 60 * 1000;

const ANSWERED_AT_CALLBACK: ReadonlySet<number> = new Set([
  InteractionResponseType.Pong, InteractionResponseType.ChannelMessageWithSource, InteractionResponseType.UpdateMessage,
  InteractionResponseType.ApplicationCommandAutocompleteResult, InteractionResponseType.Modal,
]);

/** Applies a PATCH body to a message: a null field clears it, as Discord's edit does. */
export function applyEdit(message: RecordedMessage, edit: Record<string, unknown>, now: number): void {
  for (const [key, value] of Object.entries(edit)) {
    if (value === null) delete message.body[key];
    else message.body[key] = value;
  }
  message.body.flags = ((message.body.flags as number | undefined) ?? 0) & ~MessageFlags.Loading;
  message.body.edited_timestamp = new Date(now).toISOString();
}

export class Interactions {
  private readonly byToken = new Map<string, PendingInteraction>();

  constructor(private readonly nextId: () => string, private readonly deferredTimeoutMs: number) {}

  /** Registers an interaction about to be dispatched; `settled` resolves once the bot has answered. */
  open(channelId: string, componentMessage: RecordedMessage | undefined, now: number): PendingInteraction {
    let resolve!: (reply: InteractionReply) => void;
    let reject!: (error: Error) => void;
    const settled = new Promise<InteractionReply>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const pending: PendingInteraction = {
      id: this.nextId(), token: `aW50ZXJhY3Rpb24${this.nextId()}`, channelId, createdAt: now, acknowledged: false,
      reply: { type: 0, body: undefined, edits: [], followUps: [], ephemeral: false, id: '' },
      componentMessage, original: undefined, followUpMessages: [], settled, resolve, reject, timer: undefined,
    };
    this.byToken.set(pending.token, pending);
    this.arm(pending, INTERACTION_RESPONSE_DEADLINE_MS, `the bot did not answer within ${INTERACTION_RESPONSE_DEADLINE_MS} ms (Discord shows "The application did not respond")`);
    return pending;
  }

  /** The interaction behind a callback (by id and token) or webhook (by token), or Discord's 404. */
  find(token: string, id: string | undefined, now: number): PendingInteraction {
    const pending = this.byToken.get(token);
    if (!pending || (id !== undefined && pending.id !== id) || now - pending.createdAt > TOKEN_LIFETIME_MS) {
      throw id === undefined ? httpError(404, RESTJSONErrorCodes.UnknownWebhook, 'Unknown Webhook') : httpError(404, RESTJSONErrorCodes.UnknownInteraction, 'Unknown interaction');
    }
    return pending;
  }

  /** Records the first response. Too late (3 s) is Discord's 10062; a second one is 40060. */
  acknowledge(pending: PendingInteraction, callback: InteractionCallbackBody, now: number): void {
    if (pending.acknowledged) throw httpError(400, RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged, 'Interaction has already been acknowledged.');
    if (now - pending.createdAt > INTERACTION_RESPONSE_DEADLINE_MS) throw httpError(404, RESTJSONErrorCodes.UnknownInteraction, 'Unknown interaction');
    pending.acknowledged = true;
    const data = ('data' in callback ? callback.data : undefined) ?? {};
    const flags = 'flags' in data ? (data.flags ?? 0) : 0;
    Object.assign(pending.reply, { type: callback.type, body: data, ephemeral: (flags & MessageFlags.Ephemeral) !== 0 });
    switch (callback.type) {
      case InteractionResponseType.ChannelMessageWithSource:
        pending.original = { id: this.nextId(), channelId: pending.channelId, body: { ...data } };
        break;
      case InteractionResponseType.DeferredChannelMessageWithSource:
        pending.original = { id: this.nextId(), channelId: pending.channelId, body: { content: '', flags: flags | MessageFlags.Loading } };
        break;
      case InteractionResponseType.UpdateMessage:
        pending.original = pending.componentMessage;
        if (pending.original) applyEdit(pending.original, data, now);
        break;
      case InteractionResponseType.DeferredMessageUpdate:
        pending.original = pending.componentMessage;
        break;
    }
    pending.reply.id = pending.original?.id ?? '';
    if (ANSWERED_AT_CALLBACK.has(callback.type)) this.settle(pending);
    else this.arm(pending, this.deferredTimeoutMs, `the bot deferred but did not edit or follow up within ${this.deferredTimeoutMs} ms`);
  }

  /** PATCH …/messages/@original. */
  editOriginal(pending: PendingInteraction, edit: Record<string, unknown>, now: number): RecordedMessage {
    if (!pending.original) throw httpError(404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message');
    applyEdit(pending.original, edit, now);
    pending.reply.edits.push(edit);
    this.settle(pending);
    return pending.original;
  }

  followUp(pending: PendingInteraction, body: Record<string, unknown>): RecordedMessage {
    if (!pending.acknowledged) throw httpError(404, RESTJSONErrorCodes.UnknownWebhook, 'Unknown Webhook');
    const message: RecordedMessage = { id: this.nextId(), channelId: pending.channelId, body: { ...body } };
    pending.followUpMessages.push(message);
    pending.reply.followUps.push(body);
    this.settle(pending);
    return message;
  }

  /** A message an interaction answer created (reply or follow-up), for clicks on it. */
  findMessage(messageId: string): RecordedMessage | undefined {
    for (const pending of this.byToken.values()) {
      if (pending.original?.id === messageId) return pending.original;
      const followUp = pending.followUpMessages.find((m) => m.id === messageId);
      if (followUp) return followUp;
    }
    return undefined;
  }

  /** Rejects every interaction still waiting (the sandbox is closing). */
  abandon(): void {
    for (const pending of this.byToken.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error('the sandbox closed before the bot answered'));
    }
  }

  private settle(pending: PendingInteraction): void {
    clearTimeout(pending.timer);
    pending.resolve(pending.reply);
  }

  private arm(pending: PendingInteraction, ms: number, reason: string): void {
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => pending.reject(new Error(reason)), ms);
    pending.timer.unref();
  }
}
