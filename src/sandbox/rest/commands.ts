import { RESTJSONErrorCodes } from 'discord.js';
import { z } from 'zod';
import { CURRENT_USER_GUILDS_PAGE_MAX } from '../../discord/limits.js';
import { SNOWFLAKE } from '../../discord/snowflake.js';
import { httpError } from '../errors.js';
import { commandListSchema, commandSchema } from '../validation.js';
import { noContent, ok, parseBody, type Route, type RouteContext } from './route.js';

// Application command registration, global and per guild.
// https://discord.com/developers/docs/interactions/application-commands#registering-a-command

/** The guild of a guild-command route (undefined for global), after checking the application and guild ids. */
function scope(c: RouteContext): string | undefined {
  if (c.params.application !== c.core.applicationId) throw httpError(403, RESTJSONErrorCodes.MissingAccess, 'Missing Access');
  const guild = c.params.guild;
  if (guild !== undefined && !c.core.world.hasGuild(guild)) throw httpError(403, RESTJSONErrorCodes.MissingAccess, 'Missing Access');
  return guild;
}

function routesUnder(prefix: string): Route[] {
  return [
    { method: 'GET', pattern: prefix, auth: true, handle: (c) => ok(c.core.world.registeredCommands(scope(c))) },
    {
      method: 'PUT', pattern: prefix, auth: true,
      handle: (c) => {
        const guild = scope(c);
        return ok(c.core.world.setCommands(guild, parseBody(commandListSchema, c.body), c.core.applicationId));
      },
    },
    {
      method: 'POST', pattern: prefix, auth: true,
      handle: (c) => {
        const guild = scope(c);
        return { status: 201, body: c.core.world.upsertCommand(guild, parseBody(commandSchema, c.body), c.core.applicationId) };
      },
    },
    {
      method: 'DELETE', pattern: `${prefix}/:command`, auth: true,
      handle: (c) => {
        const guild = scope(c);
        const registered = c.core.world.registeredCommands(guild);
        const remaining = registered.filter((cmd) => cmd.id !== c.params.command);
        if (remaining.length === registered.length) throw httpError(404, RESTJSONErrorCodes.UnknownApplicationCommand, 'Unknown application command');
        c.core.world.setCommands(guild, remaining, c.core.applicationId);
        return noContent;
      },
    },
  ];
}

// The bot's servers, one page: where `npm run deploy-commands` looks for server copies of commands it registers
// globally. https://discord.com/developers/docs/resources/user#get-current-user-guilds
const guildPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(CURRENT_USER_GUILDS_PAGE_MAX).optional(),
  before: z.string().regex(SNOWFLAKE).optional(),
  after: z.string().regex(SNOWFLAKE).optional(),
  with_counts: z.enum(['true', 'false']).optional(),
}).strict();

const currentUserGuilds: Route = {
  method: 'GET', pattern: '/users/@me/guilds', auth: true,
  handle: (c) => {
    const query = parseBody(guildPageQuery, Object.fromEntries(c.query));
    const { world } = c.core;
    const inPage = (id: bigint) => (query.after === undefined || id > BigInt(query.after)) && (query.before === undefined || id < BigInt(query.before));
    // Oldest first, as Discord pages them.
    const guilds = world.guilds().filter((g) => inPage(BigInt(g.id))).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    return ok(guilds.slice(0, query.limit ?? CURRENT_USER_GUILDS_PAGE_MAX).map((guild) => ({
      id: guild.id, name: guild.name, icon: null, banner: null, owner: false,
      permissions: world.guildPermissions(world.bot, guild.id).toString(), features: [],
      ...(query.with_counts === 'true' ? { approximate_member_count: world.users().length, approximate_presence_count: 0 } : {}),
    })));
  },
};

export const commandRoutes: Route[] = [
  ...routesUnder('/applications/:application/commands'),
  ...routesUnder('/applications/:application/guilds/:guild/commands'),
  currentUserGuilds,
];
