import {
  ApplicationCommandType, ChannelType, GuildDefaultMessageNotifications, GuildExplicitContentFilter, GuildMFALevel, GuildNSFWLevel, GuildPremiumTier,
  GuildVerificationLevel, MessageType, OverwriteType, PermissionFlagsBits,
} from 'discord.js';
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
  /** The message as the bot last sent or edited it (content, embeds, components, …). */
  body: Record<string, unknown>;
  nonce?: string | number;
}

export interface ChannelRecord {
  id: string;
  name: string;
  position: number;
  botCanSend: boolean;
}

const EVERYONE_ALLOW =
  PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles | PermissionFlagsBits.ReadMessageHistory | PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.AddReactions | PermissionFlagsBits.UseExternalEmojis;
const EDITOR_ALLOW = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ManageMessages | PermissionFlagsBits.MentionEveryone;
// A channel the bot can read but not post in: the member-level overwrite Discord applies for "locked" channels.
const LOCKED_DENY = PermissionFlagsBits.SendMessages | PermissionFlagsBits.SendMessagesInThreads;

interface Role {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
}

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

  createChannel(name: string, botCanSend = true): string {
    const id = this.nextId();
    this.channelRecords.set(id, { id, name, position: this.channelRecords.size, botCanSend });
    this.channelMessages.set(id, []);
    return id;
  }

  deleteChannel(id: string): ChannelRecord | undefined {
    const channel = this.channelRecords.get(id);
    this.channelRecords.delete(id);
    return channel;
  }

  channel(id: string): ChannelRecord | undefined {
    return this.channelRecords.get(id);
  }

  // ---- permissions

  /** A member's permissions in a channel: roles, then Discord's overwrite order (@everyone, roles, member). */
  permissions(user: SandboxUser, channelId?: string): bigint {
    let allowed = this.roles.filter((r) => r.id === this.guild.id || user.roles.includes(r.id)).reduce((p, r) => p | r.permissions, 0n);
    if (allowed & PermissionFlagsBits.Administrator) return Object.values(PermissionFlagsBits).reduce((p, b) => p | b, 0n);
    const channel = channelId === undefined ? undefined : this.channelRecords.get(channelId);
    if (channel && !channel.botCanSend && user.id === this.bot.id) allowed &= ~LOCKED_DENY;
    return allowed;
  }

  // ---- wire shapes

  apiUser(user: SandboxUser): Record<string, unknown> {
    return {
      id: user.id, username: user.username, discriminator: '0', global_name: user.username, avatar: null,
      ...(user.id === this.bot.id ? { bot: true } : {}), public_flags: 0, flags: 0,
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
    return {
      id: channel.id, type: ChannelType.GuildText, guild_id: this.guild.id, name: channel.name, position: channel.position,
      topic: null, nsfw: false, parent_id: null, last_message_id: this.channelMessages.get(channel.id)?.at(-1)?.id ?? null,
      rate_limit_per_user: 0, flags: 0,
      permission_overwrites: channel.botCanSend ? [] : [{ id: this.bot.id, type: OverwriteType.Member, allow: '0', deny: LOCKED_DENY.toString() }],
    };
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
      emojis: [], stickers: [], voice_states: [], presences: [], threads: [], stage_instances: [], guild_scheduled_events: [],
      soundboard_sounds: [], embedded_activities: [],
      members: members.map((m) => this.apiMember(m)),
      channels: [...this.channelRecords.values()].map((c) => this.apiChannel(c)),
    };
  }

  /** A message object as Discord returns and dispatches it. */
  apiMessage(message: RecordedMessage, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const { body } = message;
    return {
      id: message.id, channel_id: message.channelId, type: MessageType.Default, author: this.apiUser(this.bot),
      content: body.content ?? '', embeds: body.embeds ?? [], components: body.components ?? [], attachments: [],
      mentions: [], mention_roles: [], mention_everyone: false, pinned: false, tts: body.tts === true,
      timestamp: new Date(snowflakeTime(message.id)).toISOString(), edited_timestamp: (body.edited_timestamp as string | undefined) ?? null,
      flags: body.flags ?? 0, ...(message.nonce === undefined ? {} : { nonce: message.nonce }), ...extra,
    };
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

  /** Stores a new channel message, or with `enforce_nonce` returns the one already sent with that nonce (no duplicate). */
  postMessage(channelId: string, body: Record<string, unknown>, now: number): { message: RecordedMessage; duplicate: boolean } {
    const list = this.channelMessages.get(channelId) ?? [];
    const nonce = body.nonce as string | number | undefined;
    if (nonce !== undefined && body.enforce_nonce === true) {
      const existing = list.find((m) => m.nonce === nonce && now - snowflakeTime(m.id) < NONCE_WINDOW_MS);
      if (existing) return { message: existing, duplicate: true };
    }
    const { nonce: _n, enforce_nonce: _e, ...shown } = body;
    const message: RecordedMessage = { id: this.nextId(), channelId, body: shown, ...(nonce === undefined ? {} : { nonce }) };
    list.push(message);
    this.channelMessages.set(channelId, list);
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
