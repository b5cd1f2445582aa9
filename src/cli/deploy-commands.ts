// `npm run deploy-commands`: registers Newsdesk's slash commands with Discord (in DISCORD_GUILD_ID when set, which
// is instant; else globally) and prints what changed. Commands registered both in a server and globally show twice
// there, so it looks at the other place too, warns, and on request removes the copies there.
import { parseArgs } from 'node:util';
import { DiscordAPIError, REST, RESTJSONErrorCodes } from 'discord.js';
import { commandDefinitions } from '../bot/commands/index.js';
import { clearCommands, clientIdMismatch, commandList, deployCommands, findDuplicates, formatDeployReport, tokenApplicationId, type Duplicates } from '../bot/deploy.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { CURRENT_USER_GUILDS_PAGE_MAX } from '../discord/limits.js';
import { createLogger } from '../log.js';

const USAGE = `Usage: npm run deploy-commands -- [--clear-global | --clear-guild]
Registers the slash commands in the server DISCORD_GUILD_ID (shown at once), or globally when it is empty.
  --clear-global  with DISCORD_GUILD_ID: also remove the global commands, which Discord shows beside the server's
  --clear-guild   without DISCORD_GUILD_ID: also remove the commands registered in the bot's servers`;

/** The command line; a message (exit 2) when it is wrong, 'help' for --help. */
function readFlags(argv: string[]): { clearGlobal: boolean; clearGuild: boolean } | 'help' | string {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: { 'clear-global': { type: 'boolean', default: false }, 'clear-guild': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
    return values.help ? 'help' : { clearGlobal: values['clear-global'], clearGuild: values['clear-guild'] };
  } catch (error) {
    // parseArgs reports unknown options as TypeErrors with a readable message.
    return `${(error as Error).message}\n\n${USAGE}`;
  }
}

/** Why a clear flag contradicts where this run registers the commands, or undefined. */
function clearConflict(flags: { clearGlobal: boolean; clearGuild: boolean }, guildId: string | undefined): string | undefined {
  if (flags.clearGlobal && !guildId) {
    return '--clear-global removes the global commands, but DISCORD_GUILD_ID is empty, so this run registers them globally. Set DISCORD_GUILD_ID to the server that should keep them, or leave out --clear-global.';
  }
  if (flags.clearGuild && guildId) {
    return `--clear-guild removes the commands registered in servers, but DISCORD_GUILD_ID is set, so this run registers them in server ${guildId}. Empty DISCORD_GUILD_ID to register them globally, or leave out --clear-guild.`;
  }
  return undefined;
}

const serverName = (guild: { id: string; name: string }) => `server ${guild.name} (${guild.id})`;

function duplicateWarning(duplicate: Duplicates, guildId: string | undefined): string {
  const names = commandList(duplicate.names);
  if (!duplicate.guild) {
    return `Warning: ${names} are also registered globally, so Discord shows each of them twice in server ${guildId}. Run \`npm run deploy-commands -- --clear-global\` to remove the global ones; or, once you are done trying Newsdesk in that server, empty DISCORD_GUILD_ID and run \`npm run deploy-commands -- --clear-guild\`.`;
  }
  return `Warning: ${names} are also registered in ${serverName(duplicate.guild)}, so Discord shows each of them twice there. Run \`npm run deploy-commands -- --clear-guild\` to remove the server's copies (the global ones stay).`;
}

/** What went wrong, for the person deploying: which setting to check and where; undefined when it is unexpected. */
function explain(error: unknown, config: Config): string | undefined {
  if (!(error instanceof DiscordAPIError)) return undefined;
  if (error.status === 401) return 'Discord refused the token: check DISCORD_TOKEN';
  if (error.code === RESTJSONErrorCodes.MissingAccess && config.discordGuildId) {
    return `Discord refused access to server ${config.discordGuildId} (DISCORD_GUILD_ID): the bot is not in that server, or it is not a server's id. Invite the bot with the applications.commands scope (README, "Connecting to Discord"), or check DISCORD_GUILD_ID (in Discord, with Developer Mode on: right-click the server → Copy Server ID)`;
  }
  if (error.code === RESTJSONErrorCodes.MissingAccess) {
    return `Discord refused access to application ${config.discordClientId}: check DISCORD_CLIENT_ID, the Application ID in the Discord developer portal (your application → General Information)`;
  }
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  const flags = readFlags(argv);
  if (flags === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (typeof flags === 'string') {
    console.error(flags);
    return 2;
  }
  const config = loadConfig();
  if (!config.discordToken || !config.discordClientId) {
    console.error('DISCORD_TOKEN and DISCORD_CLIENT_ID must be set to register commands (see .env.example). Without them, `npm start` runs the bot against its built-in sandbox, which needs no registration.');
    return 2;
  }
  const guildId = config.discordGuildId;
  const conflict = clearConflict(flags, guildId);
  if (conflict) {
    console.error(conflict);
    return 2;
  }
  const rest = new REST({ api: config.discordApiUrl }).setToken(config.discordToken);
  const commands = commandDefinitions();
  try {
    // Discord answers a wrong application id with a bare "Missing Access": asking first lets the message name both ids.
    const applicationId = await tokenApplicationId(rest);
    if (applicationId !== config.discordClientId) {
      console.error(`Could not register the commands: ${clientIdMismatch(config.discordClientId, applicationId)}.`);
      return 1;
    }
    const report = await deployCommands(rest, applicationId, commands, guildId);
    console.log(formatDeployReport(report, guildId ? `in server ${guildId}` : 'globally (Discord may take up to an hour to show global changes)'));
    const { duplicates, more } = await findDuplicates(rest, applicationId, commands, guildId);
    // clearConflict has let through only the flag that fits this run's place.
    const clear = flags.clearGlobal || flags.clearGuild;
    for (const duplicate of duplicates) {
      if (clear) {
        const removed = await clearCommands(rest, applicationId, duplicate.guild?.id);
        console.log(`Removed ${commandList(removed)} ${duplicate.guild ? `from ${serverName(duplicate.guild)}` : 'globally'}.`);
      } else {
        console.warn(duplicateWarning(duplicate, guildId));
      }
    }
    if (clear && duplicates.length === 0) console.log(`Nothing to remove: no copies of the commands are registered ${guildId ? 'globally' : "in the bot's servers"}.`);
    if (more) console.warn(`Only the first ${CURRENT_USER_GUILDS_PAGE_MAX} of the bot's servers were checked for copies of the commands.`);
    return 0;
  } catch (error) {
    const why = explain(error, config);
    console.error(`Could not register the commands: ${why ?? (error instanceof Error ? error.message : String(error))}`);
    // The unexpected gets its detail in the log; a failure explained above is complete as printed.
    if (!why) createLogger(config.logLevel).error({ event: 'deploy.failed', err: error }, 'command registration failed');
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  },
);
