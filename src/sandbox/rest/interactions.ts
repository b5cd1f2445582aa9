import { InteractionResponseType, MessageFlags, RESTJSONErrorCodes } from 'discord.js';
import { httpError } from '../errors.js';
import { followUpSchema, interactionCallbackSchema, isEmptyMessage, messageEditSchema } from '../validation.js';
import { applyEdit, type PendingInteraction } from '../interactions.js';
import type { RecordedMessage } from '../world.js';
import { noContent, ok, parseBody, type Route, type RouteContext } from './route.js';

// Interaction responses: the callback, then the webhook for edits and follow-ups. Authorised by the interaction
// token in the path, as on Discord. https://discord.com/developers/docs/interactions/receiving-and-responding

function webhookInteraction(c: RouteContext): PendingInteraction {
  if (c.params.application !== c.core.applicationId) throw httpError(404, RESTJSONErrorCodes.UnknownWebhook, 'Unknown Webhook');
  return c.core.interactions.find(c.params.token!, undefined, c.now);
}

function webhookMessage(c: RouteContext): RecordedMessage {
  const pending = webhookInteraction(c);
  const id = c.params.message;
  const message = id === undefined ? pending.original : pending.followUpMessages.find((m) => m.id === id) ?? (pending.original?.id === id ? pending.original : undefined);
  if (!message) throw httpError(404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message');
  return message;
}

const wire = (c: RouteContext, message: RecordedMessage) => c.core.world.apiMessage(message, { webhook_id: c.core.applicationId, application_id: c.core.applicationId });

function editMessage(c: RouteContext) {
  const pending = webhookInteraction(c);
  const edit = parseBody(messageEditSchema, c.body);
  const target = webhookMessage(c);
  if (target === pending.original) c.core.interactions.editOriginal(pending, edit, c.now);
  else applyEdit(target, edit, c.now);
  return ok(wire(c, target));
}

function deleteMessage(c: RouteContext) {
  const pending = webhookInteraction(c);
  const target = webhookMessage(c);
  if (target === pending.original) pending.original = undefined;
  else pending.followUpMessages.splice(pending.followUpMessages.indexOf(target), 1);
  return noContent;
}

const readMessage = (c: RouteContext) => ok(wire(c, webhookMessage(c)));

// @original routes are listed before :message ones: the router takes the first match.
export const interactionRoutes: Route[] = [
  {
    method: 'POST', pattern: '/interactions/:interaction/:token/callback', auth: false,
    handle: (c) => {
      const { interactions } = c.core;
      const pending = interactions.find(c.params.token!, c.params.interaction!, c.now);
      const callback = parseBody(interactionCallbackSchema, c.body);
      if (callback.type === InteractionResponseType.ChannelMessageWithSource && isEmptyMessage(callback.data)) throw httpError(400, RESTJSONErrorCodes.CannotSendAnEmptyMessage, 'Cannot send an empty message');
      interactions.acknowledge(pending, callback, c.now);
      if (c.query.get('with_response') !== 'true') return noContent;
      const message = pending.original;
      return ok({
        interaction: {
          id: pending.id, type: callback.type, activity_instance_id: null, response_message_id: message?.id ?? null,
          response_message_loading: callback.type === InteractionResponseType.DeferredChannelMessageWithSource, response_message_ephemeral: pending.reply.ephemeral,
        },
        resource: { type: callback.type, ...(message ? { message: wire(c, message) } : {}) },
      });
    },
  },
  { method: 'GET', pattern: '/webhooks/:application/:token/messages/@original', auth: false, handle: readMessage },
  { method: 'PATCH', pattern: '/webhooks/:application/:token/messages/@original', auth: false, handle: editMessage },
  { method: 'DELETE', pattern: '/webhooks/:application/:token/messages/@original', auth: false, handle: deleteMessage },
  { method: 'GET', pattern: '/webhooks/:application/:token/messages/:message', auth: false, handle: readMessage },
  { method: 'PATCH', pattern: '/webhooks/:application/:token/messages/:message', auth: false, handle: editMessage },
  { method: 'DELETE', pattern: '/webhooks/:application/:token/messages/:message', auth: false, handle: deleteMessage },
  {
    method: 'POST', pattern: '/webhooks/:application/:token', auth: false,
    handle: (c) => {
      const pending = webhookInteraction(c);
      const body = parseBody(followUpSchema, c.body);
      if (isEmptyMessage(body)) throw httpError(400, RESTJSONErrorCodes.CannotSendAnEmptyMessage, 'Cannot send an empty message');
      // The first follow-up after a deferred reply replaces the "thinking…" message, as on Discord.
      const original = pending.original;
      if (original && ((original.body.flags as number | undefined) ?? 0) & MessageFlags.Loading && pending.reply.edits.length === 0) {
        return ok(wire(c, c.core.interactions.editOriginal(pending, body, c.now)));
      }
      return ok(wire(c, c.core.interactions.followUp(pending, body)));
    },
  },
];
