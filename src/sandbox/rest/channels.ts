import { GatewayDispatchEvents, GatewayIntentBits, PermissionFlagsBits, RESTJSONErrorCodes } from 'discord.js';
import { httpError } from '../errors.js';
import { applyEdit } from '../interactions.js';
import { isEmptyMessage, messageCreateSchema, messageEditSchema } from '../validation.js';
import type { ChannelRecord, RecordedMessage } from '../world.js';
import { noContent, ok, parseBody, type Route, type RouteContext } from './route.js';

function channelOf({ core, params }: RouteContext): ChannelRecord {
  const channel = core.world.channel(params.channel!);
  if (!channel) throw httpError(404, RESTJSONErrorCodes.UnknownChannel, 'Unknown Channel');
  return channel;
}

function messageOf(context: RouteContext): RecordedMessage {
  const channel = channelOf(context);
  const message = context.core.world.findMessage(channel.id, context.params.message!);
  if (!message) throw httpError(404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message');
  return message;
}

const MESSAGES_PAGE_MAX = 100;

export const channelRoutes: Route[] = [
  { method: 'GET', pattern: '/channels/:channel', auth: true, handle: (c) => ok(c.core.world.apiChannel(channelOf(c))) },
  {
    method: 'POST', pattern: '/channels/:channel/messages', auth: true,
    handle: (c) => {
      const { world, gateway } = c.core;
      const channel = channelOf(c);
      if (!(world.permissions(world.bot, channel.id) & PermissionFlagsBits.SendMessages)) {
        throw httpError(403, RESTJSONErrorCodes.MissingPermissions, 'Missing Permissions');
      }
      const body = parseBody(messageCreateSchema, c.body);
      if (isEmptyMessage(body)) throw httpError(400, RESTJSONErrorCodes.CannotSendAnEmptyMessage, 'Cannot send an empty message');
      const { message, duplicate } = world.postMessage(channel.id, body, c.now);
      if (!duplicate) {
        gateway.dispatch(GatewayDispatchEvents.MessageCreate, world.apiMessage(message, { guild_id: world.guild.id, member: world.apiMember(world.bot) }), GatewayIntentBits.GuildMessages);
        c.core.messagePosted(message);
      }
      return ok(world.apiMessage(message));
    },
  },
  {
    method: 'GET', pattern: '/channels/:channel/messages', auth: true,
    handle: (c) => {
      const { world } = c.core;
      const channel = channelOf(c);
      if (!(world.permissions(world.bot, channel.id) & PermissionFlagsBits.ReadMessageHistory)) throw httpError(403, RESTJSONErrorCodes.MissingAccess, 'Missing Access');
      const limit = Math.min(Number(c.query.get('limit') ?? 50) || 50, MESSAGES_PAGE_MAX);
      // Fetched messages do not carry the nonce they were sent with: only the create answer and the gateway event do.
      return ok(world.messages(channel.id).slice(-limit).reverse().map((m) => ({ ...world.apiMessage(m), nonce: undefined })));
    },
  },
  { method: 'GET', pattern: '/channels/:channel/messages/:message', auth: true, handle: (c) => ok(c.core.world.apiMessage(messageOf(c))) },
  {
    method: 'PATCH', pattern: '/channels/:channel/messages/:message', auth: true,
    handle: (c) => {
      const message = messageOf(c);
      applyEdit(message, parseBody(messageEditSchema, c.body), c.now);
      const wire = c.core.world.apiMessage(message);
      c.core.gateway.dispatch(GatewayDispatchEvents.MessageUpdate, { ...wire, guild_id: c.core.world.guild.id }, GatewayIntentBits.GuildMessages);
      return ok(wire);
    },
  },
  {
    method: 'DELETE', pattern: '/channels/:channel/messages/:message', auth: true,
    handle: (c) => {
      const message = messageOf(c);
      c.core.world.deleteMessage(message.channelId, message.id);
      c.core.gateway.dispatch(GatewayDispatchEvents.MessageDelete, { id: message.id, channel_id: message.channelId, guild_id: c.core.world.guild.id }, GatewayIntentBits.GuildMessages);
      return noContent;
    },
  },
];
