import {
  ApplicationCommandType, ChannelType, GuildDefaultMessageNotifications, GuildExplicitContentFilter, GuildMFALevel, GuildNSFWLevel, GuildPremiumTier,
  GuildVerificationLevel, MessageType, PermissionFlagsBits,
} from 'discord.js';
import { buildChannel, type ChannelSpec } from './channelSpec.js';
import { channelWire, isThread, type ChannelRecord } from './channels.js';
import { computePermissions, type Role } from './permissions.js';
import { snowflakeTime } from './snowflake.js';

// The sandbox's one guild as Discord would describe it: channels, roles, members, what each channel received and
// the commands the bot registered. Objects leave here in Discord's wire shape (snake_case, string ids).

export interface SandboxUser {
  id: string;
  username: string;
  roles: string[];
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

export type { ChannelRecord, ChannelSpec };

// Discord's defaults for @everyone include the three thread permissions.
const EVERYONE_ALLOW =
  PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles | PermissionFlagsBits.ReadMessageHistory | PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.AddReactions | PermissionFlagsBits.UseExternalEmojis | PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.CreatePrivateThreads | PermissionFlagsBits.SendMessagesInThreads;
const EDITOR_ALLOW = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ManageMessages | PermissionFlagsBits.MentionEveryone;

export class World {
  readonly guild: { id: string; name: string };
  readonly bot: SandboxUser;
  readonly members: { admin: SandboxUser; member: SandboxUser };
  private readonly roles: Role[];
  private readonly channelRecords = new Map<string, ChannelRecord>();
  private readonly channelMessages = new Map<string, RecordedMessage[]>();
  private readonly commands = new Map<string, Record<string, unknown>[]>();
  private readonly joinedAt = new Date().toISOString();

  constructor(private readonly nextId: () => string, applicationId: string) {
    const guildId = nextId();
    this.guild = { id: guildId, name: 'Newsdesk Sandbox' };
    const editors: Role = { id: nextId(), name: 'Editors', permissions: EVERYONE_ALLOW | EDITOR_ALLOW, position: 2 };
    const botRole: Role = { id: nextId(), name: 'Newsdesk', permissions: EVERYONE_ALLOW, position: 1 };
    // The @everyone role has the guild's id, as on Discord.
    this.roles = [{ id: guildId, name: '@everyone', permissions: EVERYONE_ALLOW, position: 0 }, botRole, editors];
    this.bot = { id: applicationId, username: 'Newsdesk', roles: [botRole.id] };
    this.members = {
      admin: { id: nextId(), username: 'editor', roles: [editors.id] },
      member: { id: nextId(), username: 'reader', roles: [] },
    };
  }

  // ---- channels

  /** Adds a channel or thread; a spec Discord could not have is the test's mistake, so it throws naming it. */
  addChannel(spec: ChannelSpec): ChannelRecord {
    const id = spec.id ?? this.nextId();
    const parent = spec.parentId === undefined ? undefined : this.channelRecords.get(spec.parentId);
    const channel = buildChannel(spec, { id, position: this.channelRecords.size, parent, botId: this.bot.id, defaultOwnerId: this.members.admin.id, nextId: this.nextId });
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

  /** A member's permissions in a channel (a thread has its parent's overwrites), or in the guild without one. */
  permissions(user: SandboxUser, channelId?: string): bigint {
    const channel = channelId === undefined ? undefined : this.channelRecords.get(channelId);
    const source = channel && isThread(channel) ? this.channelRecords.get(channel.parentId) : channel;
    return computePermissions(this.guild.id, this.roles, user, source?.overwrites ?? []);
  }

  // ---- wire shapes

  apiUser(user: SandboxUser): Record<string, unknown> {
    return {
      id: user.id, username: user.username, discriminator: '0', global_name: user.username, avatar: null,
      ...(user.id === this.bot.id ? { bot: true } : {}), public_flags: 0, flags: 0, primary_guild: null,
    };
  }

  apiMember(user: SandboxUser, channelId?: string): Record<string, unknown> {
    return {
      user: this.apiUser(user), roles: user.roles, nick: null, avatar: null, joined_at: this.joinedAt, premium_since: null,
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
      guildId: this.guild.id, botId: this.bot.id, lastMessageId, parentType,
      messageCount: messages.filter((m) => m.id !== channel.id).length,
    });
  }

  activeThreads(): ChannelRecord[] {
    return [...this.channelRecords.values()].filter((c) => isThread(c) && !c.thread.archived);
  }

  /** Everyone in the guild, the bot first. */
  users(): SandboxUser[] {
    return [this.bot, this.members.admin, this.members.member];
  }

  /** The full guild as GUILD_CREATE carries it: discord.js builds its caches (and permission checks) from this. */
  apiGuild(): Record<string, unknown> {
    const members = this.users();
    return {
      id: this.guild.id, name: this.guild.name, icon: null, splash: null, discovery_splash: null, banner: null, description: null,
      owner_id: this.members.admin.id, afk_channel_id: null, afk_timeout: 300, verification_level: GuildVerificationLevel.None,
      default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions, explicit_content_filter: GuildExplicitContentFilter.Disabled,
      mfa_level: GuildMFALevel.None, nsfw_level: GuildNSFWLevel.Default, premium_tier: GuildPremiumTier.None,
      premium_subscription_count: 0, preferred_locale: 'en-US', system_channel_id: null, system_channel_flags: 0,
      rules_channel_id: null, public_updates_channel_id: null, safety_alerts_channel_id: null, vanity_url_code: null,
      application_id: null, features: [], max_members: 500000, max_video_channel_users: 25, premium_progress_bar_enabled: false,
      joined_at: this.joinedAt, large: false, unavailable: false, member_count: members.length, lazy: true,
      roles: this.roles.map((r) => ({
        id: r.id, name: r.name, color: 0, colors: { primary_color: 0, secondary_color: null, tertiary_color: null }, hoist: false,
        icon: null, unicode_emoji: null, position: r.position, permissions: r.permissions.toString(), managed: false,
        mentionable: false, flags: 0,
      })),
      emojis: [], stickers: [], voice_states: [], presences: [], stage_instances: [], guild_scheduled_events: [],
      soundboard_sounds: [], embedded_activities: [],
      members: members.map((m) => this.apiMember(m)),
      channels: [...this.channelRecords.values()].filter((c) => !isThread(c)).map((c) => this.apiChannel(c)),
      // Discord syncs the active threads only; archived ones are fetched on demand.
      threads: this.activeThreads().map((c) => this.apiChannel(c)),
    };
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

  /** The names of the chat commands a member can type. */
  commandNames(): string[] {
    return [...new Set(this.chatCommands().map((c) => String(c.name)))];
  }

  /** The command a member would see under `name`: the guild's own first, then the global one. */
  findCommand(name: string): Record<string, unknown> | undefined {
    return this.chatCommands().find((c) => c.name === name);
  }

  /** Chat commands visible in the guild: its own first, then the global ones. */
  private chatCommands(): Record<string, unknown>[] {
    return [...this.registeredCommands(this.guild.id), ...this.registeredCommands()].filter((c) => c.type === ApplicationCommandType.ChatInput);
  }
}

/** Discord's nonce enforcement window: a resend with the same nonce within it returns the first message. */
const NONCE_WINDOW_MS = 5 * 60 * 1000;
