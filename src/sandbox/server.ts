import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { ChannelType, GatewayCloseCodes, MessageFlags } from 'discord.js';
import type { Logger } from '../log.js';
import type { ChannelSpec } from './channelSpec.js';
import { createDriver, type SandboxDriver } from './driver.js';
import { channelCreated, channelDeleted, channelUpdated, guildJoined, messageCreated } from './events.js';
import { RestFaults } from './faults.js';
import { Gateway, type IdentifyRecord } from './gateway.js';
import { Interactions } from './interactions.js';
import { DISCORD_RATE_LIMITS, RateLimiter, type RateLimitOptions } from './rateLimits.js';
import type { SandboxCore } from './rest/route.js';
import { Router, type RecordedRequest } from './rest/router.js';
import { checkCounts, DISCORD_MAX_GUILDS_PER_SHARD, recommendedShards, SessionStarts, type ShardingOptions } from './sharding.js';
import { snowflakes } from './snowflake.js';
import { World, type ChannelRecord, type RecordedMessage, type SandboxUser } from './world.js';

export type { ChannelRecord, IdentifyRecord, RecordedMessage, RecordedRequest, SandboxUser, SandboxDriver, ShardingOptions };

/** A channel as a test adds it: a text channel unless `type` says announcement or forum, or a thread in `parentId`. */
export type ChannelOptions = Omit<ChannelSpec, 'name' | 'id'>;

/** A guild of the sandbox with the channels every guild starts with. */
export interface SandboxGuild {
  id: string;
  name: string;
  channels: { news: string; general: string; locked: string };
}

export interface SandboxOptions extends ShardingOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** How many guilds the bot is in (1 by default); the n-th (from 0) is on shard n % count for counts up to 16. */
  guilds?: number;
  logger: Logger;
  /** Discord's is 41250 ms; a test of missed heartbeat acks wants it short. */
  heartbeatIntervalMs?: number;
  rateLimits?: RateLimitOptions;
  /** How long the driver waits for the edit after a deferred reply (Discord allows 15 minutes). */
  deferredTimeoutMs?: number;
}

export interface SandboxFaults {
  /** The next `count` REST requests (optionally only those whose path contains `route`) fail with `status`. */
  failNext(count: number, status: 429 | 500, options?: { global?: boolean; route?: string }): void;
  /** Closes every gateway connection with `code` (GatewayCloseCodes.UnknownError, resumable, by default). */
  closeGateway(code?: number): void;
  /** Cuts every gateway connection without a close frame, as a network failure would. */
  dropGateway(): void;
  /** The current gateway connections stop acknowledging heartbeats, so the client must detect a zombie. */
  stopHeartbeatAcks(): void;
  /** The next `count` REST requests (optionally only on `route`) take effect at once but are answered `delayMs` later. */
  answerSlowly(count: number, delayMs: number, options?: { route?: string }): void;
  /** The next `count` REST requests (optionally only on `route`) reach the sandbox `delayMs` after they were sent. */
  arriveLate(count: number, delayMs: number, options?: { route?: string }): void;
}

const DISCORD_HEARTBEAT_INTERVAL_MS = 41_250;
const DEFERRED_TIMEOUT_MS = 15_000;

/**
 * A Discord-compatible server on 127.0.0.1 (REST under /api/v10 and the gateway) for the real discord.js client:
 * guilds with a news, a general and a locked channel each, an admin and a plain member, strict request validation,
 * Discord's rate limits and sharding, and fault injection. `driver` plays the members. `guild`, `channels` and
 * `members` are those of the first guild.
 */
export class DiscordSandbox {
  readonly token: string;
  readonly applicationId: string;
  readonly guild: { id: string; name: string };
  readonly channels: { news: string; general: string; locked: string };
  readonly members: { admin: SandboxUser; member: SandboxUser };
  readonly driver: SandboxDriver;
  readonly faults: SandboxFaults;

  private readonly world: World;
  private readonly core: SandboxCore;
  private readonly gateway: Gateway;
  private readonly interactions: Interactions;
  private readonly router: Router;
  private readonly rateLimiter: RateLimiter;
  private readonly server: http.Server;
  private readonly guildList: SandboxGuild[] = [];
  private readonly messageListeners = new Set<(message: RecordedMessage) => void>();
  private port = 0;
  private timePassedMs = 0;
  // One clock for everything that dates: ids, nonce windows, interaction deadlines, rate limits (see passTime).
  private readonly now = () => Date.now() + this.timePassedMs;

  private constructor(options: SandboxOptions) {
    const logger = options.logger.child({ component: 'sandbox' });
    const nextId = snowflakes(this.now);
    this.applicationId = nextId();
    // Shaped like a real bot token (base64 id . timestamp . hmac) so code that checks the form accepts it.
    this.token = `${Buffer.from(this.applicationId).toString('base64url')}.${randomBytes(4).toString('base64url')}.${randomBytes(27).toString('base64url')}`;
    this.world = new World(nextId, this.applicationId, this.now);
    this.members = this.world.members;
    // Before any client connects: GUILD_CREATE will carry them.
    checkCounts({ guilds: options.guilds, shards: options.shards, maxConcurrency: options.maxConcurrency, maxGuildsPerShard: options.maxGuildsPerShard });
    const first = this.furnish(this.world.guild);
    for (let i = 1; i < (options.guilds ?? 1); i++) this.furnish(this.world.addGuild());
    this.guild = { id: first.id, name: first.name };
    this.channels = first.channels;
    const sessionStarts = new SessionStarts(options.maxConcurrency ?? 1);
    this.gateway = new Gateway({
      token: this.token, applicationId: this.applicationId, world: this.world, logger, sessionStarts, now: this.now,
      maxGuildsPerShard: options.maxGuildsPerShard ?? DISCORD_MAX_GUILDS_PER_SHARD,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? DISCORD_HEARTBEAT_INTERVAL_MS, url: () => this.gatewayUrl,
    });
    this.interactions = new Interactions(nextId, options.deferredTimeoutMs ?? DEFERRED_TIMEOUT_MS);
    this.core = {
      world: this.world, gateway: this.gateway, interactions: this.interactions, applicationId: this.applicationId,
      gatewayUrl: () => this.gatewayUrl,
      shardingAdvice: () => ({ shards: recommendedShards(options, this.world.guilds().length), session_start_limit: sessionStarts.limit() }),
      messagePosted: (message) => this.messageListeners.forEach((listener) => listener(message)),
    };
    const restFaults = new RestFaults();
    // One limiter for the token: every REST caller, whichever process or client it is, spends the same 50/s.
    this.rateLimiter = new RateLimiter(options.rateLimits ?? DISCORD_RATE_LIMITS);
    this.router = new Router({ core: this.core, token: this.token, faults: restFaults, rateLimiter: this.rateLimiter, logger, now: this.now });
    this.driver = createDriver({ world: this.world, gateway: this.gateway, interactions: this.interactions, applicationId: this.applicationId, defaultChannelId: this.channels.news, now: this.now });
    this.faults = {
      failNext: (count, status, o = {}) => restFaults.add(count, { status, global: o.global ?? false, route: o.route }),
      closeGateway: (code = GatewayCloseCodes.UnknownError) => this.gateway.closeConnections(code),
      dropGateway: () => this.gateway.dropConnections(),
      stopHeartbeatAcks: () => this.gateway.stopHeartbeatAcks(),
      answerSlowly: (count, delayMs, o = {}) => restFaults.addSlowAnswers(count, { delayMs, route: o.route }),
      arriveLate: (count, delayMs, o = {}) => restFaults.addSlowTrips(count, { delayMs, route: o.route }),
    };
    this.server = http.createServer((request, response) => void this.router.handle(request, response));
    this.server.on('upgrade', (request, socket, head) => this.gateway.handleUpgrade(request, socket, head));
  }

  static async start(options: SandboxOptions): Promise<DiscordSandbox> {
    const sandbox = new DiscordSandbox(options);
    await new Promise<void>((resolve, reject) => {
      sandbox.server.once('error', reject);
      sandbox.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    sandbox.port = (sandbox.server.address() as AddressInfo).port;
    return sandbox;
  }

  /** Gives a guild the channels every guild starts with. */
  private furnish(guild: { id: string; name: string }): SandboxGuild {
    const add = (name: string, options: ChannelOptions = {}) => this.world.addChannel({ name, guildId: guild.id, ...options }).id;
    const furnished = { id: guild.id, name: guild.name, channels: { news: add('news'), general: add('general'), locked: add('announcements', { botCanSend: false }) } };
    this.guildList.push(furnished);
    return furnished;
  }

  /** Every guild the bot is in, the first (`guild`) first, in the order they were added. */
  get guilds(): readonly SandboxGuild[] {
    return this.guildList;
  }

  /** The bot joins one more guild (GUILD_CREATE to the shard that owns it), with the channels every guild has. */
  addGuild(): SandboxGuild {
    const guild = this.furnish(this.world.addGuild());
    guildJoined(this.core, guild.id);
    return guild;
  }

  /** Every IDENTIFY the gateway received and what became of it ('ready', 'invalid_session', or a close code). */
  get identifies(): readonly IdentifyRecord[] {
    return this.gateway.identifies;
  }

  /** Requests refused with 429 by the token's global limit and by a route's bucket (injected faults not counted). */
  get rateLimited(): { global: number; route: number } {
    return this.rateLimiter.refusals();
  }

  /** Pass to `new Client({ rest: { api } })` or `new REST({ api })`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  private get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /**
   * What was posted to a channel or thread (channel messages, not interaction replies), in order: the bot's, and a
   * member's from `postAs` (with its `authorId`). A forum post's first message is its thread's, with the thread's id.
   */
  messages(channelId: string): RecordedMessage[] {
    return this.world.messages(channelId);
  }

  /** The messages of an announcement channel that were published (crossposted) to the channels following it. */
  crossposted(channelId: string): RecordedMessage[] {
    return this.world.messages(channelId).filter((m) => ((m.discordFlags ?? 0) & MessageFlags.Crossposted) !== 0);
  }

  /** A channel or thread as it is now (type, parent, a thread's state, a forum post's tags), or undefined once deleted. */
  channel(id: string): Readonly<ChannelRecord> | undefined {
    return this.world.channel(id);
  }

  /** The threads in a channel, oldest first: a forum's posts, a text channel's threads. */
  threads(parentId: string): readonly ChannelRecord[] {
    return this.world.threadsIn(parentId);
  }

  channelName(id: string): string | undefined {
    return this.world.channel(id)?.name;
  }

  /** Every REST request so far, refused ones included. */
  get requests(): RecordedRequest[] {
    return this.router.requests;
  }

  /** Requests for routes the sandbox does not model (404/405): a test asserts none happened. */
  get unknownRoutes(): number {
    return this.router.unknownRoutes;
  }

  /** Commands registered globally, or for the guild `guildId`. */
  registeredCommands(guildId?: string): unknown[] {
    return this.world.registeredCommands(guildId);
  }

  /** Calls `listener` with every message the bot posts to a channel; returns an unsubscribe. */
  onMessage(listener: (message: RecordedMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /**
   * Moves the sandbox's clock forward by `ms`, as a bot restarting that much later finds Discord: nonces sent before
   * then are past Discord's window and no longer stop a duplicate.
   */
  passTime(ms: number): void {
    this.timePassedMs += ms;
  }

  /**
   * Adds a channel as an admin would (CHANNEL_CREATE, or THREAD_CREATE for a thread): `{ type: ChannelType.GuildForum,
   * availableTags }`, `{ type: ChannelType.GuildAnnouncement }`, or `{ type: ChannelType.PublicThread, parentId }`; in
   * the first guild unless `guildId` names another.
   */
  createChannel(name: string, options: ChannelOptions = {}): string {
    const channel = this.world.addChannel({ name, ...options });
    channelCreated(this.core, channel);
    return channel.id;
  }

  /** Removes a channel (CHANNEL_DELETE) with its threads, or one thread (THREAD_DELETE). */
  deleteChannel(id: string): void {
    const [channel] = this.world.deleteChannel(id);
    if (channel) channelDeleted(this.core, channel);
  }

  /** Archives, unarchives, locks or unlocks a thread as a moderator would (THREAD_UPDATE). */
  updateThread(id: string, change: { archived?: boolean; locked?: boolean }): void {
    channelUpdated(this.core, this.world.updateThread(id, change, this.now()));
  }

  /** A member posts in a channel or thread (MESSAGE_CREATE): someone else's message, for the bot to act on. */
  postAs(user: SandboxUser, channelId: string, content: string): RecordedMessage {
    const channel = this.world.channel(channelId);
    if (!channel || channel.type === ChannelType.GuildForum) throw new Error(`${user.username} cannot post in ${channelId}: it is not a text channel or thread of the sandbox`);
    const { message } = this.world.postMessage(channelId, { content }, this.now(), { authorId: user.id });
    messageCreated(this.core, message);
    return message;
  }

  async close(): Promise<void> {
    this.interactions.abandon();
    await this.gateway.shutdown();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
