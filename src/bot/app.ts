// The running bot: a discord.js client (Guilds intent only) wired to the interaction routers, the digest service,
// the subscriptions and the scheduler. main.ts builds one from the settings; the end-to-end tests build one against the sandbox.
// A gateway connection (optionally holding some shards) answers members; a REST-only bot (a scheduler process) only
// posts digests, and learns what it needs of channels over REST.
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import type { Interaction } from 'discord.js';
import type { DigestSettings } from '../digest/settings.js';
import type { Logger } from '../log.js';
import { discordHistory, discordSender, discordTargets } from './discordChannels.js';
import { gatewayView, restView } from './discordView.js';
import type { DiscordView } from './discordView.js';
import { anchorGlobalWindow } from '../discord/globalWindow.js';
import { runMetrics } from '../ops/metrics.js';
import type { Metrics } from '../ops/metrics.js';
import { countRateLimits } from '../ops/rateLimitCounter.js';
import { LiveRunner } from '../schedule/live.js';
import { DigestScheduler } from '../schedule/scheduler.js';
import { systemClock } from '../util/clock.js';
import type { Clock } from '../util/clock.js';
import type { StateStore } from '../state/stateStore.js';
import type { Subscription } from '../state/types.js';
import { SubscriptionService } from '../subscriptions/service.js';
import type { EnvSubscription } from '../subscriptions/service.js';
import { BUTTONS, COMMANDS } from './commands/index.js';
import type { BotContext, NewsLibrary } from './context.js';
import { DigestService } from '../delivery/service.js';
import { handleAutocomplete } from './interactions/autocomplete.js';
import { handleButton } from './interactions/button.js';
import { handleChatInput } from './interactions/chatInput.js';
import { NO_PINGS } from './replies.js';

export interface BotOptions {
  token: string;
  /** Discord's API, the sandbox's, or any Discord-compatible server (DISCORD_API_URL). */
  apiUrl: string;
  library: NewsLibrary;
  store: StateStore;
  logger: Logger;
  clock?: Clock;
  /** DIGEST_SIZE and DIGEST_MAX_PER_PROVIDER. */
  defaults: Pick<DigestSettings, 'size' | 'maxPerProvider'>;
  /**
   * gateway (the default): logs in, holding `shards` (SHARD_IDS of SHARD_COUNT) or discord.js's default; rest: no
   * gateway connection, for a process that only posts digests (NEWSDESK_ROLE=scheduler).
   */
  connection?: { kind: 'gateway'; shards?: { ids: number[]; count: number } } | { kind: 'rest' };
  metrics?: Metrics;
}

const SHUTDOWN_DRAIN_MS = 10_000;

export class NewsdeskBot {
  readonly client: Client;
  readonly digests: DigestService;
  readonly subscriptions: SubscriptionService;
  readonly scheduler: DigestScheduler;
  /** Live digests: each new story within a minute, in batches. */
  readonly live: LiveRunner;
  private readonly context: BotContext;

  private constructor(private readonly options: BotOptions, client: Client, view: (client: Client) => DiscordView) {
    const clock = options.clock ?? systemClock;
    this.client = client;
    const { library, store, logger, metrics, token } = options;
    const { rest } = this.client;
    anchorGlobalWindow(rest);
    if (metrics) countRateLimits(rest, metrics);
    const discord = view(client);
    // Built in this order, each handed what it needs of the others through a function read at call time.
    this.subscriptions = new SubscriptionService({ store, reschedule: (id) => this.scheduler.refresh(id), defaultSettings: () => this.digests.defaultSettings() });
    const history = discordHistory(rest, () => discord.botUserId());
    // Every run is counted in /metrics where it is delivered, whatever started it.
    const observer = metrics && runMetrics(metrics);
    this.digests = new DigestService({ library, store, send: discordSender(rest), history, ...discordTargets(discord, rest, token), subscriptions: this.subscriptions, clock, logger, defaults: options.defaults, observer });
    this.scheduler = new DigestScheduler({
      store, clock, logger,
      runSlot: (subscription, slot) => this.digests.runSlot(subscription, slot),
      prepareSlot: (subscription, slot) => this.digests.prepareSlot(subscription, slot),
    });
    this.live = new LiveRunner({ store, clock, logger, digests: this.digests });
    this.context = { library, store, digests: this.digests, subscriptions: this.subscriptions, clock, logger };
    this.client.on(Events.InteractionCreate, (interaction) => void this.route(interaction));
    this.client.on(Events.Error, (error) => logger.error({ event: 'discord.error', err: error }, 'discord client error'));
  }

  /**
   * Logs in and waits until the guilds are cached, or (a REST-only bot) looks up its own user; the schedule starts
   * with startSchedule.
   */
  static async start(options: BotOptions): Promise<NewsdeskBot> {
    const connection = options.connection ?? { kind: 'gateway' };
    const shards = connection.kind === 'gateway' && connection.shards ? { shards: connection.shards.ids, shardCount: connection.shards.count } : {};
    // Only Guilds: the channel and role caches that permission checks and /digest status read. No privileged intent.
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: options.apiUrl }, allowedMentions: NO_PINGS, ...shards });
    if (connection.kind === 'rest') {
      client.rest.setToken(options.token);
      const view = await restView(client.rest);
      options.logger.info({ event: 'discord.rest_ready', user: view.botUserId() }, 'posting to Discord over REST (no gateway connection)');
      return new NewsdeskBot(options, client, () => view);
    }
    const bot = new NewsdeskBot(options, client, gatewayView);
    const ready = once(bot.client, Events.ClientReady);
    await bot.client.login(options.token);
    await ready;
    options.logger.info({ event: 'discord.ready', user: bot.client.user?.tag, guilds: bot.client.guilds.cache.size, shards: connection.shards?.ids }, 'connected to Discord');
    return bot;
  }

  /** Whether the gateway connection is up (every shard ready); a REST-only bot has none to lose. */
  get connected(): boolean {
    return this.options.connection?.kind === 'rest' || this.client.isReady();
  }

  /** The gateway's round trip per shard, for /metrics. */
  shardLatencies(): Map<number, number> {
    const latencies = new Map<number, number>();
    if (this.options.connection?.kind !== 'rest') this.client.ws.shards.forEach((shard, id) => latencies.set(id, shard.ping));
    return latencies;
  }

  /** Whether startSchedule has finished: this process claims due digests. */
  scheduling = false;

  /** Starts the daily schedule (unfinished and missed runs first, then one timer per subscription), then live digests. */
  async startSchedule(): Promise<void> {
    await this.scheduler.start();
    await this.live.start();
    this.scheduling = true;
  }

  /**
   * Creates or updates the subscription .env describes. Its server is found from the channel, which must be one
   * the bot can see; otherwise the reason is logged and the bot runs on without it.
   */
  async applyEnvSubscription(wanted: EnvSubscription): Promise<Subscription | undefined> {
    const channel = this.client.channels.cache.get(wanted.channelId);
    if (!channel || channel.isDMBased()) {
      this.options.logger.warn({ event: 'digest.env_channel_unknown', channelId: wanted.channelId }, 'DIGEST_CHANNEL_ID is not a channel of a server the bot is in');
      return undefined;
    }
    return this.subscriptions.applyEnv(wanted, channel.guildId);
  }

  /**
   * Stops scheduling, then waits (at most SHUTDOWN_DRAIN_MS) for the digest messages already handed to Discord to be
   * answered and recorded before disconnecting: a post whose answer is dropped on the floor is one a restart past
   * Discord's nonce window would have to look for.
   */
  async stop(): Promise<void> {
    this.scheduling = false;
    this.scheduler.stop();
    this.live.stop();
    const drained = await this.digests.drain(SHUTDOWN_DRAIN_MS);
    if (!drained) this.options.logger.warn({ event: 'shutdown.sends_unfinished', waitedMs: SHUTDOWN_DRAIN_MS }, 'digest messages still unanswered at shutdown: they are checked in their channel on the next start');
    await this.client.destroy();
  }

  private async route(interaction: Interaction): Promise<void> {
    if (interaction.isChatInputCommand()) await handleChatInput(interaction, COMMANDS, this.context);
    else if (interaction.isAutocomplete()) await handleAutocomplete(interaction, COMMANDS, this.context);
    else if (interaction.isButton()) await handleButton(interaction, BUTTONS, this.context);
  }
}
