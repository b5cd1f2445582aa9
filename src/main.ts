// `npm start`: settings → state (a locked SQLite file, or the shared PostgreSQL database) → article library → (the
// sandbox, when no DISCORD_TOKEN is set) → Discord client → schedule. NEWSDESK_ROLE picks the parts: a gateway process
// connects and answers members but schedules nothing, a scheduler posts due digests over REST with no gateway
// connection. Stops cleanly on Ctrl+C or SIGTERM; bad settings print every problem and exit with status 2, as does a
// database that cannot be used or that another Newsdesk process holds.
import path from 'node:path';
import pino from 'pino';
import { ArticleLibrary } from './articles/library.js';
import { NewsdeskBot } from './bot/app.js';
import { commandDefinitions } from './bot/commands/index.js';
import { clientIdMismatch, deployCommands } from './bot/deploy.js';
import { ConfigError, loadConfig, prepareDataDir } from './config.js';
import type { Config } from './config.js';
import { createLogger } from './log.js';
import { contentReadProblem } from './settingFolders.js';
import { startPrompt } from './sandbox/prompt.js';
import { renderMessage } from './sandbox/render.js';
import { terminalLoadProgress } from './sandbox/loadProgress.js';
import { DiscordSandbox } from './sandbox/server.js';
import type { RunOutcome } from './delivery/runs.js';
import { StateFileError } from './state/open.js';
import { holdProcessLock } from './state/processLock.js';
import { EVERY_DAY } from './schedule/days.js';
import { warmUpTimers } from './schedule/timetable.js';
import { openStore } from './state/openStore.js';
import { SqliteStore } from './state/sqliteStore.js';
import type { StateStore } from './state/stateStore.js';
import { createMetrics } from './ops/metrics.js';
import { processLabels } from './ops/processLabels.js';
import { reportProcess } from './ops/processReport.js';
import type { Logger } from './log.js';
import { plural } from './util/text.js';

const SANDBOX_DEFAULT_TIME = '08:00';

function banner(sandbox: DiscordSandbox, library: ArticleLibrary, demo: RunOutcome, logFile: string | undefined): string {
  return [
    '',
    '  Newsdesk is running against its built-in sandbox, because DISCORD_TOKEN is not set.',
    `  A local Discord-compatible server (${sandbox.apiUrl}) stands in for Discord: nothing leaves this machine.`,
    `  ${plural(library.size, 'article', 'articles')} loaded, ${library.publishedSize.toLocaleString('en-US')} of them published (what search and digests show). ${demo.status === 'posted' ? 'A digest was just posted to #news (shown above).' : `No demo digest: ${demo.summary}.`}`,
    '  Type a command below, such as:',
    '    /news search topic:AI      /news search query:rocket      /news latest      /digest status      /help',
    ...(logFile ? [`  Log lines go to ${path.relative(process.cwd(), logFile)}.`] : []),
    '  Set DISCORD_TOKEN and DISCORD_CLIENT_ID in .env to connect to Discord instead.',
    '',
  ].join('\n');
}

/**
 * The sandbox's news channel gets a subscription and a digest at once, so a newcomer sees one. Its window reaches
 * back over every article: the shipped samples age, and the demo should still show a full digest.
 */
async function demoDigest(bot: NewsdeskBot, sandbox: DiscordSandbox, config: Config): Promise<RunOutcome> {
  const setUp = await bot.subscriptions.setUp({
    name: 'Daily',
    channelId: sandbox.channels.news,
    guildId: sandbox.guild.id,
    kind: 'scheduled',
    time: config.digest?.time ?? SANDBOX_DEFAULT_TIME,
    days: EVERY_DAY,
    timezone: config.digest?.timezone ?? 'UTC',
    settings: { ...bot.digests.defaultSettings(), window: { kind: 'all' } },
    mentionRoleId: null,
  });
  // A fresh in-memory store holds no digest yet, so the name is free and the server far from the limit.
  if (!setUp.ok) throw new Error(`the demo digest could not be set up: ${setUp.problem}`);
  return bot.digests.postNow(setUp.subscription);
}

/**
 * The sandbox's channels live only as long as this process, so its digests' state does too: in memory, with no
 * lock. A SQLite file is locked for this process alone, which proves no other is sending: the runs a crashed
 * predecessor leased are this process's to finish at once. PostgreSQL is shared: runs are leased per process.
 */
async function openState(config: Config, logger: Logger): Promise<StateStore> {
  if (!config.discordToken) return SqliteStore.open(':memory:', { logger });
  if (!config.databaseUrl) holdProcessLock(config.databasePath, config.databaseSetting, logger);
  const { databaseUrl, databasePath, databaseSetting, runLeaseMs } = config;
  return openStore({ databaseUrl, databasePath, databaseSetting, logger, lease: { leaseMs: runLeaseMs }, soleProcess: !databaseUrl });
}

async function main(): Promise<void> {
  const config = loadConfig();
  prepareDataDir(config);
  // In the interactive sandbox demo the terminal belongs to the prompt: log lines go to a file instead of under it.
  const logFile = !config.discordToken && process.stdin.isTTY ? path.join(config.dataDir, 'newsdesk.log') : undefined;
  const labels = processLabels(config);
  const logger = createLogger(config.logLevel, logFile ? pino.destination({ dest: logFile, sync: true }) : undefined).child(labels);
  logger.info({ event: 'startup', contentDir: config.contentDir, sandbox: !config.discordToken }, 'Newsdesk starting');
  const metrics = createMetrics(labels);
  // Filled in as start-up goes: /healthz answers "starting" until then.
  const started: { bot?: NewsdeskBot; library?: ArticleLibrary } = {};
  const health = config.healthPort === undefined
    ? undefined
    : await reportProcess(config.healthPort, { role: config.role, bot: () => started.bot, libraryArticles: () => started.library?.publishedSize ?? 0 }, metrics, logger);
  // The database before the slow article load, so a second process or an unusable store stops start-up at once.
  const store = await openState(config, logger);
  // While the start blocks anyway (its modules, the article load), rather than later in a turn the bot should answer in.
  warmUpTimers();
  // The log file holds the load's log lines; a terminal shows its progress instead (a large folder takes a while).
  const onProgress = logFile && process.stdout.isTTY ? terminalLoadProgress(process.stdout) : undefined;
  const library = await ArticleLibrary.open({ contentDir: config.contentDir, cacheDir: path.join(config.dataDir, 'cache'), logger, watch: true, onProgress }).catch((error: unknown) => {
    // A folder inside CONTENT_DIR that cannot be listed fails the whole load: name the setting, not only the errno.
    const problem = contentReadProblem(config.contentDir, error);
    throw problem ? new ConfigError([problem]) : error;
  });
  const sandbox = config.discordToken ? undefined : await DiscordSandbox.start({ port: config.sandboxPort, logger });
  const bot = await NewsdeskBot.start({
    token: sandbox?.token ?? config.discordToken!,
    apiUrl: sandbox?.apiUrl ?? config.discordApiUrl,
    library,
    store,
    logger,
    metrics,
    defaults: { size: config.digestSize, maxPerProvider: config.digestMaxPerProvider },
    connection: config.role === 'scheduler' ? { kind: 'rest' } : { kind: 'gateway', shards: config.shards },
  });
  Object.assign(started, { bot, library });
  const tokenApplication = bot.client.application?.id;
  if (!sandbox && tokenApplication && tokenApplication !== config.discordClientId) {
    // The bot runs either way, but `npm run deploy-commands` would register its commands for the other application.
    logger.warn({ event: 'config.client_id_mismatch', discordClientId: config.discordClientId, tokenApplicationId: tokenApplication },
      `${clientIdMismatch(config.discordClientId!, tokenApplication)}, or npm run deploy-commands cannot register this bot's commands`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'shutdown', signal }, 'Newsdesk stopping');
    await bot.stop();
    await library.close();
    await store.close();
    await sandbox?.close();
    await health?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  if (!sandbox) {
    if (config.digest && config.role !== 'scheduler') await bot.applyEnvSubscription(config.digest);
    // A gateway process leaves due digests to the schedulers sharing its database; /digest now still posts at once.
    if (config.role !== 'gateway') await bot.startSchedule();
    return;
  }
  await deployCommands(bot.client.rest, sandbox.applicationId, commandDefinitions(), sandbox.guild.id);
  const demo = await demoDigest(bot, sandbox, config);
  await bot.startSchedule();
  for (const message of sandbox.messages(sandbox.channels.news)) console.log(`#news — Newsdesk posted:\n${renderMessage(message.body)}`);
  console.log(banner(sandbox, library, demo, logFile));
  startPrompt(sandbox, undefined, { onExit: () => void stop('exit') });
}

main().catch((error: unknown) => {
  // Both are complete messages for the operator (what, where, the fix): no "could not start" prefix, no stack.
  if (error instanceof ConfigError || error instanceof StateFileError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(`Newsdesk could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
