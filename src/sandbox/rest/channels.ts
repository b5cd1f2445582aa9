import { ChannelType, MessageFlags, PermissionFlagsBits, RESTJSONErrorCodes } from 'discord.js';
import { httpError } from '../errors.js';
import { channelUpdated, messageCreated, messageDeleted, messageUpdated } from '../events.js';
import { applyEdit } from '../interactions.js';
import { isEmptyMessage, messageCreateSchema, messageEditSchema } from '../validation.js';
import { channelOf, checkCanPost, messageOf, requirePermissions } from './access.js';
import { noContent, ok, parseBody, type Route } from './route.js';

// Channels and their messages: read a channel, post, read the history, edit, delete, and publish (crosspost) in an
// announcement channel. https://discord.com/developers/docs/resources/message

const MESSAGES_PAGE_MAX = 100;

export const channelRoutes: Route[] = [
  { method: 'GET', pattern: '/channels/:channel', auth: true, handle: (c) => ok(c.core.world.apiChannel(channelOf(c))) },
  {
    method: 'POST', pattern: '/channels/:channel/messages', auth: true, bucket: 'channelMessages',
    handle: (c) => {
      const { world } = c.core;
      const channel = channelOf(c);
      const { unarchives } = checkCanPost(c, channel);
      const body = parseBody(messageCreateSchema, c.body);
      if (isEmptyMessage(body)) throw httpError(400, RESTJSONErrorCodes.CannotSendAnEmptyMessage, 'Cannot send an empty message');
      if (unarchives) channelUpdated(c.core, world.updateThread(channel.id, { archived: false }, c.now));
      const { message, duplicate } = world.postMessage(channel.id, body, c.now);
      if (!duplicate) messageCreated(c.core, message);
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
      return ok(messageUpdated(c.core, message));
    },
  },
  {
    method: 'DELETE', pattern: '/channels/:channel/messages/:message', auth: true,
    handle: (c) => {
      const message = messageOf(c);
      c.core.world.deleteMessage(message.channelId, message.id);
      messageDeleted(c.core, message);
      return noContent;
    },
  },
  {
    // Publishing sends the message to the channels that follow this one; only announcement channels have followers.
    // https://discord.com/developers/docs/resources/message#crosspost-message
    method: 'POST', pattern: '/channels/:channel/messages/:message/crosspost', auth: true, bucket: 'crosspost',
    handle: (c) => {
      const { world } = c.core;
      const channel = channelOf(c);
      const message = messageOf(c, channel);
      if (channel.type !== ChannelType.GuildAnnouncement) throw httpError(400, RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType, 'Cannot execute action on this channel type');
      // Send Messages for the bot's own message; Manage Messages as well for anyone else's.
      const own = world.author(message).id === world.bot.id;
      requirePermissions(c, channel, PermissionFlagsBits.SendMessages | (own ? 0n : PermissionFlagsBits.ManageMessages));
      if ((message.discordFlags ?? 0) & MessageFlags.Crossposted) throw httpError(400, RESTJSONErrorCodes.ThisMessageWasAlreadyCrossposted, 'This message has already been crossposted');
      message.discordFlags = (message.discordFlags ?? 0) | MessageFlags.Crossposted;
      return ok(messageUpdated(c.core, message));
    },
  },
];
