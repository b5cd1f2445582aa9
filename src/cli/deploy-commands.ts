// `npm run deploy-commands`: registers Newsdesk's slash commands with Discord (in DISCORD_GUILD_ID when set, which
// is instant; else globally) and prints what changed.
import { DiscordAPIError, REST } from 'discord.js';
import { commandDefinitions } from '../bot/commands/index.js';
import { deployCommands, formatDeployReport } from '../bot/deploy.js';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../log.js';

async function main(): Promise<number> {
  const config = loadConfig();
  if (!config.discordToken || !config.discordClientId) {
    console.error('DISCORD_TOKEN and DISCORD_CLIENT_ID must be set to register commands (see .env.example). Without them, `npm start` runs the bot against its built-in sandbox, which needs no registration.');
    return 2;
  }
  const rest = new REST({ api: config.discordApiUrl }).setToken(config.discordToken);
  const guildId = config.discordGuildId;
  try {
    const report = await deployCommands(rest, config.discordClientId, commandDefinitions(), guildId);
    console.log(formatDeployReport(report, guildId ? `in server ${guildId}` : 'globally (Discord may take up to an hour to show global changes)'));
    return 0;
  } catch (error) {
    const why = error instanceof DiscordAPIError && error.status === 401 ? 'Discord refused the token: check DISCORD_TOKEN' : error instanceof Error ? error.message : String(error);
    console.error(`Could not register the commands: ${why}`);
    createLogger(config.logLevel).error({ event: 'deploy.failed', err: error }, 'command registration failed');
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  },
);
