import { RESTJSONErrorCodes } from 'discord.js';
import { httpError } from '../errors.js';
import { ok, type Route, type RouteContext } from './route.js';

// What a client asks about itself and its guild while starting: where the gateway is, who it is, its application.

/** The guild of a /guilds/{guild} route, or Discord's 404 when the bot is not in it. */
export function guildOf(c: RouteContext): string {
  const id = c.params.guild!;
  if (!c.core.world.hasGuild(id)) throw httpError(404, RESTJSONErrorCodes.UnknownGuild, 'Unknown Guild');
  return id;
}

export const sessionRoutes: Route[] = [
  {
    method: 'GET', pattern: '/gateway/bot', auth: true,
    handle: (c) => ok({ url: c.core.gatewayUrl(), ...c.core.shardingAdvice() }),
  },
  { method: 'GET', pattern: '/gateway', auth: false, handle: (c) => ok({ url: c.core.gatewayUrl() }) },
  { method: 'GET', pattern: '/users/@me', auth: true, handle: (c) => ok({ ...c.core.world.apiUser(c.core.world.bot), verified: true, mfa_enabled: false }) },
  {
    method: 'GET', pattern: '/applications/@me', auth: true,
    handle: (c) => ok({
      id: c.core.applicationId, name: c.core.world.bot.username, icon: null, description: 'Newsdesk in the sandbox', bot_public: false,
      bot_require_code_grant: false, verify_key: '0'.repeat(64), flags: 0, owner: c.core.world.apiUser(c.core.world.members.admin),
      bot: c.core.world.apiUser(c.core.world.bot), team: null,
    }),
  },
  {
    method: 'GET', pattern: '/guilds/:guild', auth: true,
    handle: (c) => {
      const { channels: _channels, members: _members, ...guild } = c.core.world.apiGuild(guildOf(c));
      return ok(guild);
    },
  },
  {
    method: 'GET', pattern: '/guilds/:guild/channels', auth: true,
    handle: (c) => ok(c.core.world.apiGuild(guildOf(c)).channels),
  },
  {
    method: 'GET', pattern: '/guilds/:guild/members/:user', auth: true,
    handle: (c) => {
      const guild = guildOf(c);
      const { world } = c.core;
      const user = world.users().find((u) => u.id === c.params.user);
      if (!user) throw httpError(404, RESTJSONErrorCodes.UnknownUser, 'Unknown User');
      return ok(world.apiMember(user, guild));
    },
  },
];
