import {
  GuildDefaultMessageNotifications, GuildExplicitContentFilter, GuildMFALevel, GuildNSFWLevel, GuildPremiumTier, GuildVerificationLevel, PermissionFlagsBits,
} from 'discord.js';
import type { Role } from './permissions.js';

// A guild of the sandbox: its roles (@everyone with the guild's id, the bot's, the editors'), the roles each member
// holds there, and the guild object as GUILD_CREATE carries it. Users are the same in every guild, as on Discord,
// while their roles are the guild's own.

export interface GuildRecord {
  id: string;
  name: string;
  roles: Role[];
  /** Each member's roles in this guild, by user id. */
  memberRoles: Map<string, string[]>;
  /** When the bot joined (ISO). */
  joinedAt: string;
  ownerId: string;
}

/** The members every guild has: the bot, an editor (Manage Server and friends) and a plain reader. */
export interface GuildCast {
  botId: string;
  adminId: string;
  memberId: string;
}

// Discord's defaults for @everyone include the three thread permissions.
export const EVERYONE_ALLOW =
  PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles | PermissionFlagsBits.ReadMessageHistory | PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.AddReactions | PermissionFlagsBits.UseExternalEmojis | PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.CreatePrivateThreads | PermissionFlagsBits.SendMessagesInThreads;
const EDITOR_ALLOW = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ManageMessages | PermissionFlagsBits.MentionEveryone;

export function makeGuild(id: string, name: string, cast: GuildCast, nextId: () => string, joinedAt: string): GuildRecord {
  const editors: Role = { id: nextId(), name: 'Editors', permissions: EVERYONE_ALLOW | EDITOR_ALLOW, position: 2 };
  const botRole: Role = { id: nextId(), name: 'Newsdesk', permissions: EVERYONE_ALLOW, position: 1 };
  return {
    id, name, joinedAt, ownerId: cast.adminId,
    // The @everyone role has the guild's id, as on Discord.
    roles: [{ id, name: '@everyone', permissions: EVERYONE_ALLOW, position: 0 }, botRole, editors],
    memberRoles: new Map([[cast.botId, [botRole.id]], [cast.adminId, [editors.id]], [cast.memberId, []]]),
  };
}

/** What the guild object carries besides the guild's own fields, in wire shape already. */
export interface GuildContents {
  members: Record<string, unknown>[];
  channels: Record<string, unknown>[];
  threads: Record<string, unknown>[];
}

/** The full guild as GUILD_CREATE carries it: discord.js builds its caches (and permission checks) from this. */
export function guildWire(guild: GuildRecord, contents: GuildContents): Record<string, unknown> {
  return {
    id: guild.id, name: guild.name, icon: null, splash: null, discovery_splash: null, banner: null, description: null,
    owner_id: guild.ownerId, afk_channel_id: null, afk_timeout: 300, verification_level: GuildVerificationLevel.None,
    default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions, explicit_content_filter: GuildExplicitContentFilter.Disabled,
    mfa_level: GuildMFALevel.None, nsfw_level: GuildNSFWLevel.Default, premium_tier: GuildPremiumTier.None,
    premium_subscription_count: 0, preferred_locale: 'en-US', system_channel_id: null, system_channel_flags: 0,
    rules_channel_id: null, public_updates_channel_id: null, safety_alerts_channel_id: null, vanity_url_code: null,
    application_id: null, features: [], max_members: 500000, max_video_channel_users: 25, premium_progress_bar_enabled: false,
    joined_at: guild.joinedAt, large: false, unavailable: false, member_count: contents.members.length, lazy: true,
    roles: guild.roles.map((r) => ({
      id: r.id, name: r.name, color: 0, colors: { primary_color: 0, secondary_color: null, tertiary_color: null }, hoist: false,
      icon: null, unicode_emoji: null, position: r.position, permissions: r.permissions.toString(), managed: false,
      mentionable: false, flags: 0,
    })),
    emojis: [], stickers: [], voice_states: [], presences: [], stage_instances: [], guild_scheduled_events: [],
    soundboard_sounds: [], embedded_activities: [],
    ...contents,
  };
}
