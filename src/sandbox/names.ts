import { ApplicationCommandOptionType } from 'discord.js';
import { SNOWFLAKE } from '../discord/snowflake.js';
import type { MentionLabel } from './render.js';

// What a member picks in Discord's option pickers, typed at the prompt by name: `#news` for a channel, `@Editors` for
// a role, `@reader` for a member. Discord's client sends the picked thing's id, and so does the sandbox.

/** The sandbox guild's channels, roles and members, as the prompt lists them and names resolve against. */
export interface SandboxDirectory {
  guildName: string;
  /** With the active threads; `type` is Discord's channel type. */
  channels: { id: string; name: string; type: number; botCanPost: boolean }[];
  /** Highest first, as Discord lists them; @everyone last. */
  roles: { id: string; name: string }[];
  members: { id: string; username: string; roleIds: string[]; bot: boolean }[];
}

export type NameResolution = { id: string } | { refused: string };

/** How a channel, role or member is written at the prompt. */
export const channelLabel = (name: string): string => `#${name}`;
// @everyone's name already carries its @.
export const roleLabel = (name: string): string => (name.startsWith('@') ? name : `@${name}`);
export const memberLabel = (username: string): string => `@${username}`;

interface Candidate {
  id: string;
  label: string;
}

const MENTION: Partial<Record<number, RegExp>> = {
  [ApplicationCommandOptionType.Channel]: /^<#(\d+)>$/,
  [ApplicationCommandOptionType.Role]: /^<@&(\d+)>$/,
  [ApplicationCommandOptionType.User]: /^<@!?(\d+)>$/,
  [ApplicationCommandOptionType.Mentionable]: /^<@[!&]?(\d+)>$/,
};

const KIND: Partial<Record<number, string>> = {
  [ApplicationCommandOptionType.Channel]: 'channel',
  [ApplicationCommandOptionType.Role]: 'role',
  [ApplicationCommandOptionType.User]: 'member',
  [ApplicationCommandOptionType.Mentionable]: 'role or member',
};

function candidates(type: number, directory: SandboxDirectory): Candidate[] {
  const channels = directory.channels.map((c) => ({ id: c.id, label: channelLabel(c.name) }));
  const roles = directory.roles.map((r) => ({ id: r.id, label: roleLabel(r.name) }));
  const members = directory.members.map((m) => ({ id: m.id, label: memberLabel(m.username) }));
  switch (type) {
    case ApplicationCommandOptionType.Channel: return channels;
    case ApplicationCommandOptionType.Role: return roles;
    case ApplicationCommandOptionType.User: return members;
    default: return [...roles, ...members];
  }
}

/** Whether options of this type take a channel, role or member (whose value is an id). */
export function takesName(type: number): boolean {
  return KIND[type] !== undefined;
}

/**
 * The id a typed value stands for: an id as such (the picker's own output, even for a channel deleted since), a
 * mention (`<#id>`), or a name with or without its `#`/`@`, matched regardless of case as the picker filters.
 */
export function resolveName(type: number, typed: string, directory: SandboxDirectory): NameResolution {
  const value = typed.trim();
  if (SNOWFLAKE.test(value)) return { id: value };
  const mention = MENTION[type]?.exec(value);
  if (mention) return { id: mention[1]! };
  const all = candidates(type, directory);
  const bare = (label: string) => label.replace(/^[#@]/, '').toLowerCase();
  const found = all.filter((c) => bare(c.label) === bare(value));
  const kind = KIND[type] ?? 'name';
  if (found.length === 1) return { id: found[0]!.id };
  if (found.length > 1) return { refused: `${found.length} of ${directory.guildName}'s ${kind}s are called ${found[0]!.label}: give the id of the one you mean (${found.map((c) => c.id).join(', ')})` };
  return { refused: `${directory.guildName} has no ${kind} "${value}"; it has ${all.map((c) => c.label).join(', ') || 'none'}` };
}

/** How the prompt shows a mention of the guild's channels, roles and members: by name, as Discord's client does. */
export function mentionLabels(directory: SandboxDirectory): MentionLabel {
  return (kind, id) => {
    if (kind === '#') {
      const channel = directory.channels.find((c) => c.id === id);
      return channel && channelLabel(channel.name);
    }
    if (kind === '@&') {
      const role = directory.roles.find((r) => r.id === id);
      return role && roleLabel(role.name);
    }
    const member = directory.members.find((m) => m.id === id);
    return member && memberLabel(member.username);
  };
}
