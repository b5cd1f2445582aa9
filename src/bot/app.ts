// The running bot: a discord.js client (Guilds intent only) wired to the interaction routers, the digest service,
// the subscriptions and the scheduler. main.ts builds one from the settings; the end-to-end tests build one against the sandbox.
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import type { Interaction } from 'discord.js';
import type { DigestSettings } from '../digest/settings.js';
import type { Logger } from '../log.js';
import { discordHistory, discordSender, discordTargets } from './discordChannels.js';
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

  private constructor(private readonly options: BotOptions) {
    const clock = options.clock ?? systemClock;
    // Only Guilds: the channel and role caches that permission checks and /digest status read. No privileged intent.
    this.client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: options.apiUrl }, allowedMentions: NO_PINGS });
    const { library, store, logger } = options;
    const { rest } = this.client;
    // Built in this order, each handed what it needs of the others through a function read at call time.
    this.subscriptions = new SubscriptionService({ store, reschedule: (id) => this.scheduler.refresh(id), defaultSettings: () => this.digests.defaultSettings() });
    const history = discordHistory(rest, () => this.client.user?.id);
    this.digests = new DigestService({ library, store, send: discordSender(rest), history, ...discordTargets(this.client), subscriptions: this.subscriptions, clock, logger, defaults: options.defaults });
    this.scheduler = new DigestScheduler({ store, clock, logger, runSlot: (subscription, slot) => this.digests.runSlot(subscription, slot) });
    this.live = new LiveRunner({ store, clock, logger, digests: this.digests });
    this.context = { library, store, digests: this.digests, subscriptions: this.subscriptions, clock, logger };
    this.client.on(Events.InteractionCreate, (interaction) => void this.route(interaction));
    this.client.on(Events.Error, (error) => logger.error({ event: 'discord.error', err: error }, 'discord client error'));
  }

  /** Logs in, waits until the guilds are cached, then starts the schedule (which first catches up missed slots). */
  static async start(options: BotOptions): Promise<NewsdeskBot> {
    const bot = new NewsdeskBot(options);
    const ready = once(bot.client, Events.ClientReady);
    await bot.client.login(options.token);
    await ready;
    options.logger.info({ event: 'discord.ready', user: bot.client.user?.tag, guilds: bot.client.guilds.cache.size }, 'connected to Discord');
    return bot;
  }

  /** Starts the daily schedule (unfinished and missed runs first, then one timer per subscription), then live digests. */
  async startSchedule(): Promise<void> {
    await this.scheduler.start();
    await this.live.start();
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
