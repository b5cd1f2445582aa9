import { ApplicationCommandType, ChannelType, MessageType } from 'discord.js';
import { buildChannel, type ChannelSpec } from './channelSpec.js';
import { channelWire, isThread, type ChannelRecord } from './channels.js';
import { guildWire, makeGuild, type GuildRecord } from './guilds.js';
import { computePermissions } from './permissions.js';
import { guildSnowflake, snowflakeTime } from './snowflake.js';

// The sandbox's guilds as Discord would describe them: channels, roles, members, what each channel received and
// the commands the bot registered. The first guild is the one a test means when it names none. Objects leave here
// in Discord's wire shape (snake_case, string ids).

export interface SandboxUser {
  id: string;
  username: string;
}

export interface RecordedMessage {
  id: string;
  channelId: string;
  /** The message as it was last sent or edited (content, embeds, components, …). */
  body: Record<string, unknown>;
  nonce?: string | number;
  /** Who posted it when not the bot: a member, in a test that needs someone else's message. */
  authorId?: string;
  /** Flags Discord sets itself, never the sender: CROSSPOSTED once published, HAS_THREAD once a thread starts from it. */
  discordFlags?: number;
}

export type { ChannelRecord, ChannelSpec, GuildRecord };

export class World {
  readonly bot: SandboxUser;
  readonly members: { admin: SandboxUser; member: SandboxUser };
  private readonly guildRecords = new Map<string, GuildRecord>();
  private readonly channelRecords = new Map<string, ChannelRecord>();
  private readonly channelMessages = new Map<string, RecordedMessage[]>();
  private readonly commands = new Map<string, Record<string, unknown>[]>();

  constructor(private readonly nextId: () => string, applicationId: string, private readonly now: () => number) {
    this.bot = { id: applicationId, username: 'Newsdesk' };
    this.members = { admin: { id: nextId(), username: 'editor' }, member: { id: nextId(), username: 'reader' } };
    this.addGuild();
  }

  // ---- guilds

  /** Adds a guild the bot is in, with its roles and the same members; the n-th (from 0) lands on shard n % count. */
  addGuild(): GuildRecord {
    const index = this.guildRecords.size;
    const id = guildSnowflake(index, this.now());
    const cast = { botId: this.bot.id, adminId: this.members.admin.id, memberId: this.members.member.id };
    const guild = makeGuild(id, index === 0 ? 'Newsdesk Sandbox' : `Newsdesk Sandbox ${index + 1}`, cast, this.nextId, new Date(this.now()).toISOString());
    this.guildRecords.set(id, guild);
    return guild;
  }

  /** The first guild: the one every test and the prompt mean when they name none. */
  get guild(): GuildRecord {
    return this.guildRecords.values().next().value!;
  }

  guilds(): GuildRecord[] {
    return [...this.guildRecords.values()];
  }

  /** A guild by id; an id the sandbox does not have is the test's mistake, so it throws naming the ones it has. */
  guildById(id: string): GuildRecord {
    const guild = this.guildRecords.get(id);
    if (!guild) throw new Error(`the sandbox has no guild ${id} (its guilds: ${[...this.guildRecords.keys()].join(', ')})`);
    return guild;
  }

  hasGuild(id: string): boolean {
    return this.guildRecords.has(id);
  }

  /** The guild a channel or thread is in, or undefined for a channel that does not exist (any more). */
  guildOf(channelId: string): GuildRecord | undefined {
    const channel = this.channelRecords.get(channelId);
    return channel && this.guildRecords.get(channel.guildId);
  }

  // ---- channels

  /**
   * Adds a channel or thread, in `spec.guildId` (the first guild by default; a thread is in its parent's); a spec
   * Discord could not have is the test's mistake, so it throws naming it.
   */
  addChannel(spec: ChannelSpec): ChannelRecord {
    const id = spec.id ?? this.nextId();
    const parent = spec.parentId === undefined ? undefined : this.channelRecords.get(spec.parentId);
    const guild = parent ? this.guildById(parent.guildId) : spec.guildId === undefined ? this.guild : this.guildById(spec.guildId);
    if (parent && spec.guildId !== undefined && spec.guildId !== parent.guildId) throw new Error(`a thread is in its parent's guild (${parent.guildId}), not ${spec.guildId}`);
    const position = [...this.channelRecords.values()].filter((c) => c.guildId === guild.id).length;
    const channel = buildChannel(spec, { id, guildId: guild.id, position, parent, botId: this.bot.id, defaultOwnerId: this.members.admin.id, nextId: this.nextId });
    this.channelRecords.set(id, channel);
    this.channelMessages.set(id, []);
    return channel;
  }

  /** Removes a channel and, as Discord does, the threads in it; returns what went (the channel first). */
  deleteChannel(id: string): ChannelRecord[] {
    const channel = this.channelRecords.get(id);
    if (!channel) return [];
    const gone = [channel, ...this.threadsIn(id)];
    for (const c of gone) this.channelRecords.delete(c.id);
    return gone;
  }

  channel(id: string): ChannelRecord | undefined {
    return this.channelRecords.get(id);
  }

  threadsIn(parentId: string): ChannelRecord[] {
    return [...this.channelRecords.values()].filter((c) => c.parentId === parentId);
  }

  /** Archives, unarchives, locks or unlocks a thread; archive_timestamp moves when archived changes, as on Discord. */
  updateThread(id: string, change: { archived?: boolean; locked?: boolean }, now: number): ChannelRecord {
    const channel = this.channelRecords.get(id);
    if (!channel || !isThread(channel)) throw new Error(`${id} is not a thread of the sandbox`);
    const { thread } = channel;
    if (change.archived !== undefined && change.archived !== thread.archived) {
      thread.archived = change.archived;
      thread.archiveTimestamp = new Date(now).toISOString();
    }
    if (change.locked !== undefined) thread.locked = change.locked;
    return channel;
  }

  // ---- permissions

  /** A member's roles in a guild. */
  rolesIn(guild: GuildRecord, user: SandboxUser): string[] {
    return guild.memberRoles.get(user.id) ?? [];
  }

  /** A member's permissions in a channel (a thread has its parent's overwrites); none in a channel that is gone. */
  permissions(user: SandboxUser, channelId: string): bigint {
    const channel = this.channelRecords.get(channelId);
    if (!channel) return 0n;
    const source = isThread(channel) ? this.channelRecords.get(channel.parentId) : channel;
    const guild = this.guildById(channel.guildId);
    return computePermissions(guild.id, guild.roles, { id: user.id, roles: this.rolesIn(guild, user) }, source?.overwrites ?? []);
  }

  /** A member's permissions in a guild, before any channel's overwrites. */
  guildPermissions(user: SandboxUser, guildId: string): bigint {
    const guild = this.guildById(guildId);
    return computePermissions(guild.id, guild.roles, { id: user.id, roles: this.rolesIn(guild, user) }, []);
  }

  // ---- wire shapes

  apiUser(user: SandboxUser): Record<string, unknown> {
    return {
      id: user.id, username: user.username, discriminator: '0', global_name: user.username, avatar: null,
      ...(user.id === this.bot.id ? { bot: true } : {}), public_flags: 0, flags: 0, primary_guild: null,
    };
  }

  apiMember(user: SandboxUser, guildId: string, channelId?: string): Record<string, unknown> {
    const guild = this.guildById(guildId);
    return {
      user: this.apiUser(user), roles: this.rolesIn(guild, user), nick: null, avatar: null, joined_at: guild.joinedAt, premium_since: null,
      deaf: false, mute: false, flags: 0, pending: false, communication_disabled_until: null,
      ...(channelId === undefined ? {} : { permissions: this.permissions(user, channelId).toString() }),
    };
  }

  apiChannel(channel: ChannelRecord): Record<string, unknown> {
    const messages = this.messages(channel.id);
    // A forum's last message id is its newest post's; a forum post's starter message is not counted in it.
    const lastMessageId = channel.type === ChannelType.GuildForum ? (this.threadsIn(channel.id).at(-1)?.id ?? null) : (messages.at(-1)?.id ?? null);
    const parentType = channel.parentId === null ? undefined : this.channelRecords.get(channel.parentId)?.type;
    return channelWire(channel, {
      botId: this.bot.id, lastMessageId, parentType,
      messageCount: messages.filter((m) => m.id !== channel.id).length,
    });
  }

  /** The channels and threads of a guild, in the order they were added. */
  channelsIn(guildId: string): ChannelRecord[] {
    return [...this.channelRecords.values()].filter((c) => c.guildId === guildId);
  }

  activeThreads(guildId: string): ChannelRecord[] {
    return this.channelsIn(guildId).filter((c) => isThread(c) && !c.thread.archived);
  }

  /** Everyone in every guild, the bot first. */
  users(): SandboxUser[] {
    return [this.bot, this.members.admin, this.members.member];
  }

  /** A guild as GUILD_CREATE carries it. */
  apiGuild(guildId: string): Record<string, unknown> {
    return guildWire(this.guildById(guildId), {
      members: this.users().map((m) => this.apiMember(m, guildId)),
      channels: this.channelsIn(guildId).filter((c) => !isThread(c)).map((c) => this.apiChannel(c)),
      // Discord syncs the active threads only; archived ones are fetched on demand.
      threads: this.activeThreads(guildId).map((c) => this.apiChannel(c)),
    });
  }

  /** A message object as Discord returns and dispatches it. */
  apiMessage(message: RecordedMessage, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const { body } = message;
    return {
      id: message.id, channel_id: message.channelId, type: MessageType.Default, author: this.apiUser(this.author(message)),
      content: body.content ?? '', embeds: body.embeds ?? [], components: body.components ?? [], attachments: [],
      mentions: [], mention_roles: [], mention_everyone: false, pinned: false, tts: body.tts === true,
      timestamp: new Date(snowflakeTime(message.id)).toISOString(), edited_timestamp: (body.edited_timestamp as string | undefined) ?? null,
      flags: ((body.flags as number | undefined) ?? 0) | (message.discordFlags ?? 0), ...(message.nonce === undefined ? {} : { nonce: message.nonce }), ...extra,
    };
  }

  author(message: RecordedMessage): SandboxUser {
    return this.users().find((u) => u.id === message.authorId) ?? this.bot;
  }

  // ---- messages

  messages(channelId: string): RecordedMessage[] {
    return this.channelMessages.get(channelId) ?? [];
  }

  findMessage(channelId: string, messageId: string): RecordedMessage | undefined {
    return this.channelMessages.get(channelId)?.find((m) => m.id === messageId);
  }

  findMessageById(messageId: string): RecordedMessage | undefined {
    for (const list of this.channelMessages.values()) {
      const found = list.find((m) => m.id === messageId);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * Stores a new channel message, or with `enforce_nonce` returns the one already sent with that nonce (no duplicate).
   * `id` is a forum post's starter message, which has its thread's id; `authorId` a member posting instead of the bot.
   */
  postMessage(channelId: string, body: Record<string, unknown>, now: number, from: { id?: string; authorId?: string } = {}): { message: RecordedMessage; duplicate: boolean } {
    const list = this.channelMessages.get(channelId) ?? [];
    const nonce = body.nonce as string | number | undefined;
    if (nonce !== undefined && body.enforce_nonce === true) {
      const existing = list.find((m) => m.nonce === nonce && now - snowflakeTime(m.id) < NONCE_WINDOW_MS);
      if (existing) return { message: existing, duplicate: true };
    }
    const { nonce: _n, enforce_nonce: _e, ...shown } = body;
    const message: RecordedMessage = {
      id: from.id ?? this.nextId(), channelId, body: shown, ...(nonce === undefined ? {} : { nonce }), ...(from.authorId === undefined ? {} : { authorId: from.authorId }),
    };
    list.push(message);
    this.channelMessages.set(channelId, list);
    const channel = this.channelRecords.get(channelId);
    if (channel && isThread(channel)) {
      // Posting in a thread joins it; a forum post's starter message is not one of its messages sent.
      if (!channel.thread.members.has(this.author(message).id)) channel.thread.members.set(this.author(message).id, new Date(now).toISOString());
      if (message.id !== channelId) channel.thread.totalMessageSent++;
    }
    return { message, duplicate: false };
  }

  deleteMessage(channelId: string, messageId: string): boolean {
    const list = this.channelMessages.get(channelId) ?? [];
    const index = list.findIndex((m) => m.id === messageId);
    if (index >= 0) list.splice(index, 1);
    return index >= 0;
  }

  // ---- commands

  /** Commands as registered, globally (no guild id) or for one guild. */
  registeredCommands(guildId?: string): Record<string, unknown>[] {
    return this.commands.get(guildId ?? 'global') ?? [];
  }

  /** Replaces the whole command list (PUT), keeping the ids of commands that keep their name, as Discord does. */
  setCommands(guildId: string | undefined, bodies: Record<string, unknown>[], applicationId: string): Record<string, unknown>[] {
    const before = this.registeredCommands(guildId);
    const commands = bodies.map((body) => {
      const type = (body.type as number | undefined) ?? ApplicationCommandType.ChatInput;
      const previous = before.find((c) => c.name === body.name && c.type === type);
      return {
        ...body, id: (previous?.id as string | undefined) ?? this.nextId(), application_id: applicationId, type,
        version: this.nextId(), default_member_permissions: body.default_member_permissions == null ? null : String(body.default_member_permissions), nsfw: body.nsfw ?? false,
        description: body.description ?? '', ...(guildId ? { guild_id: guildId } : {}),
      };
    });
    this.commands.set(guildId ?? 'global', commands);
    return commands;
  }

  /** Creates or overwrites one command (POST), by name and type. */
  upsertCommand(guildId: string | undefined, body: Record<string, unknown>, applicationId: string): Record<string, unknown> {
    const type = (body.type as number | undefined) ?? ApplicationCommandType.ChatInput;
    const others = this.registeredCommands(guildId).filter((c) => !(c.name === body.name && c.type === type));
    const all = this.setCommands(guildId, [...others, body], applicationId);
    return all.at(-1)!;
  }

  /** The names of the chat commands a member can type in a guild. */
  commandNames(guildId: string): string[] {
    return [...new Set(this.chatCommands(guildId).map((c) => String(c.name)))];
  }

  /** The command a member would see under `name` in a guild: the guild's own first, then the global one. */
  findCommand(name: string, guildId: string): Record<string, unknown> | undefined {
    return this.chatCommands(guildId).find((c) => c.name === name);
  }

  /** Chat commands visible in a guild: its own first, then the global ones. */
  private chatCommands(guildId: string): Record<string, unknown>[] {
    return [...this.registeredCommands(guildId), ...this.registeredCommands()].filter((c) => c.type === ApplicationCommandType.ChatInput);
  }
}

/** Discord's nonce enforcement window: a resend with the same nonce within it returns the first message. */
const NONCE_WINDOW_MS = 5 * 60 * 1000;
