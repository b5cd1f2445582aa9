import {
  ApplicationCommandOptionType, ApplicationCommandType, ApplicationIntegrationType, ChannelType, ComponentType, GatewayDispatchEvents, InteractionContextType,
  InteractionType, PermissionFlagsBits,
} from 'discord.js';
import type { Gateway } from './gateway.js';
import type { InteractionReply, Interactions } from './interactions.js';
import { resolveName, takesName, type SandboxDirectory } from './names.js';
import type { ChannelRecord, RecordedMessage, SandboxUser, World } from './world.js';

// Plays the member's side of Discord: builds INTERACTION_CREATE exactly as Discord sends it for a slash command,
// an autocomplete keystroke or a button click, refuses what a Discord client would not let a member send, and
// resolves with the bot's answer.

export type { InteractionReply, SandboxDirectory };

export type OptionValue = string | number | boolean;

export interface InvokeOptions {
  subcommand?: string;
  group?: string;
  options?: Record<string, OptionValue>;
  /** Who runs it; the admin member by default. */
  as?: SandboxUser;
  /** Where; the first guild's news channel by default. A channel of another guild runs it in that guild. */
  channelId?: string;
}

export interface SandboxDriver {
  /** Runs a slash command; resolves once the bot answered (after a deferral, once it edited or followed up). */
  command(name: string, options?: InvokeOptions): Promise<InteractionReply>;
  /** Sends an autocomplete request for the `focused` option; resolves with the bot's choices. */
  autocomplete(name: string, focused: { name: string; value: string }, options?: InvokeOptions): Promise<{ choices: { name: string; value: string | number }[] }>;
  /** Clicks the button `customId` on a reply or posted message. */
  click(message: { id: string }, customId: string, options?: { as?: SandboxUser }): Promise<InteractionReply>;
  /** The current state of a message the bot posted or answered with (after its edits), or undefined. */
  message(id: string): Record<string, unknown> | undefined;
  /** A guild's channels, roles and members (the first guild's by default), as a member can pick them in an option. */
  directory(guildId?: string): SandboxDirectory;
}

export interface DriverDeps {
  world: World;
  gateway: Gateway;
  interactions: Interactions;
  applicationId: string;
  defaultChannelId: string;
  now: () => number;
}

interface OptionDefinition {
  type: number;
  name: string;
  required?: boolean;
  autocomplete?: boolean;
  choices?: { name: string; value: string | number }[];
  options?: OptionDefinition[];
  channel_types?: number[];
}

interface WireOption {
  type: number;
  name: string;
  value?: OptionValue;
  focused?: boolean;
  options?: WireOption[];
}

/** Why a Discord client would refuse to send this: thrown instead of dispatching. */
export class RefusedByClient extends Error {
  override name = 'RefusedByClient';
}

/** The command's option list as sent, nested under its group and subcommand, checked against its definition. */
function buildOptions(command: Record<string, unknown>, invoke: InvokeOptions, directory: SandboxDirectory, focused?: { name: string; value: string }): WireOption[] {
  const name = String(command.name);
  let definitions = (command.options ?? []) as OptionDefinition[];
  const wrap: { type: number; name: string }[] = [];
  // A command's top level may mix subcommand groups and subcommands; a group holds subcommands only.
  if (invoke.group !== undefined) {
    const group = definitions.find((d) => d.type === ApplicationCommandOptionType.SubcommandGroup && d.name === invoke.group);
    if (!group) throw new RefusedByClient(`/${name} has no group "${invoke.group}"`);
    wrap.push({ type: group.type, name: group.name });
    definitions = group.options ?? [];
  }
  const nested = definitions.filter((d) => d.type === ApplicationCommandOptionType.Subcommand || d.type === ApplicationCommandOptionType.SubcommandGroup);
  if (nested.length) {
    const chosen = definitions.find((d) => d.type === ApplicationCommandOptionType.Subcommand && d.name === invoke.subcommand);
    if (!chosen) throw new RefusedByClient(`/${[name, ...wrap.map((w) => w.name)].join(' ')} needs one of: ${nested.map((d) => d.name).join(', ')}`);
    wrap.push({ type: chosen.type, name: chosen.name });
    definitions = chosen.options ?? [];
  } else if (invoke.subcommand !== undefined) {
    throw new RefusedByClient(`/${name} has no subcommand "${invoke.subcommand}"`);
  }
  const given = Object.entries(invoke.options ?? {});
  if (focused) given.push([focused.name, focused.value]);
  const leaf: WireOption[] = given.map(([key, raw]) => {
    const definition = definitions.find((d) => d.name === key);
    if (!definition) throw new RefusedByClient(`/${name} has no option "${key}" (it has: ${definitions.map((d) => d.name).join(', ') || 'none'})`);
    if (focused?.name === key) {
      if (!definition.autocomplete) throw new RefusedByClient(`option "${key}" of /${name} does not autocomplete`);
      return { type: definition.type, name: key, value: String(raw), focused: true };
    }
    return { type: definition.type, name: key, value: coerce(definition, raw, name, directory) };
  });
  const missing = definitions.filter((d) => d.required && !given.some(([key]) => key === d.name));
  if (!focused && missing.length) throw new RefusedByClient(`/${name} needs ${missing.map((d) => d.name).join(', ')}`);
  return wrap.reduceRight<WireOption[]>((inner, outer) => [{ ...outer, options: inner }], leaf);
}

function coerce(definition: OptionDefinition, raw: OptionValue, command: string, directory: SandboxDirectory): OptionValue {
  const fail = (what: string) => new RefusedByClient(`option "${definition.name}" of /${command} must be ${what}`);
  if (takesName(definition.type)) {
    const resolved = resolveName(definition.type, String(raw), directory);
    if ('refused' in resolved) throw new RefusedByClient(`${definition.name}: ${resolved.refused}`);
    // The picker lists only the channel types the option takes; an id of a channel deleted since passes as typed.
    const channel = directory.channels.find((c) => c.id === resolved.id);
    if (channel && definition.channel_types?.length && !definition.channel_types.includes(channel.type)) {
      throw fail(`a channel of type ${definition.channel_types.join(' or ')}: #${channel.name} is of type ${channel.type}, which Discord's picker does not offer here`);
    }
    return resolved.id;
  }
  let value: OptionValue;
  switch (definition.type) {
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number:
      value = Number(raw);
      if (!Number.isFinite(value) || (definition.type === ApplicationCommandOptionType.Integer && !Number.isInteger(value))) throw fail('a number');
      break;
    case ApplicationCommandOptionType.Boolean:
      if (raw !== true && raw !== false && raw !== 'true' && raw !== 'false') throw fail('true or false');
      value = raw === true || raw === 'true';
      break;
    default:
      value = String(raw);
  }
  if (definition.choices?.length && !definition.choices.some((c) => c.value === value)) {
    throw fail(`one of ${definition.choices.map((c) => JSON.stringify(c.value)).join(', ')}`);
  }
  return value;
}

function findComponent(body: Record<string, unknown>, customId: string): { type: number; disabled?: boolean } | undefined {
  const rows = (body.components ?? []) as { components?: { type: number; custom_id?: string; disabled?: boolean }[] }[];
  return rows.flatMap((r) => r.components ?? []).find((c) => c.custom_id === customId);
}

export function createDriver(deps: DriverDeps): SandboxDriver {
  const { world, gateway, interactions, applicationId } = deps;

  const findMessage = (id: string): RecordedMessage | undefined =>
    interactions.findMessage(id) ?? world.findMessageById(id);

  function directory(guildId = world.guild.id): SandboxDirectory {
    // The guild as GUILD_CREATE describes it: the lists a member's client offers, active threads among the channels.
    type WireChannel = { id: string; name: string; type: number };
    const guild = world.apiGuild(guildId) as { name: string; channels: WireChannel[]; threads: WireChannel[]; roles: { id: string; name: string; position: number }[] };
    // In a thread Send Messages in Threads is what lets one post; in a forum, Send Messages lets one start a post.
    const posting = (c: WireChannel) => (guild.threads.includes(c) ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages);
    return {
      guildName: guild.name,
      channels: [...guild.channels, ...guild.threads].map((c) => ({ id: c.id, name: c.name, type: c.type, botCanPost: (world.permissions(world.bot, c.id) & posting(c)) !== 0n })),
      roles: [...guild.roles].sort((a, b) => b.position - a.position).map((r) => ({ id: r.id, name: r.name })),
      members: world.users().map((u) => ({ id: u.id, username: u.username, roleIds: world.rolesIn(world.guildById(guildId), u), bot: u.id === world.bot.id })),
    };
  }

  /** The channel an interaction happens in, refused as a Discord client would refuse it. */
  function placeOf(channelId: string): ChannelRecord {
    const channel = world.channel(channelId);
    if (!channel) throw new RefusedByClient(`channel ${channelId} does not exist`);
    if (channel.type === ChannelType.GuildForum) throw new RefusedByClient(`#${channel.name} is a forum: commands are typed in one of its posts, not in the forum itself`);
    return channel;
  }

  /** INTERACTION_CREATE, to the shard that owns the channel's guild. */
  function send(type: number, data: Record<string, unknown>, user: SandboxUser, channelId: string, clicked?: RecordedMessage): Promise<InteractionReply> {
    const channel = placeOf(channelId);
    const { guildId } = channel;
    if (!gateway.hasSessionFor(guildId)) throw new RefusedByClient(`no bot has connected to the sandbox gateway as the shard of guild ${guildId} yet`);
    const pending = interactions.open(channelId, clicked, deps.now());
    gateway.dispatch(GatewayDispatchEvents.InteractionCreate, {
      id: pending.id, application_id: applicationId, type, data, token: pending.token, version: 1,
      guild_id: guildId, guild: { id: guildId, locale: 'en-US', features: [] },
      channel_id: channelId, channel: { ...world.apiChannel(channel), permissions: world.permissions(user, channelId).toString() },
      member: world.apiMember(user, guildId, channelId), app_permissions: world.permissions(world.bot, channelId).toString(),
      locale: 'en-US', guild_locale: 'en-US', entitlements: [], authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: guildId },
      context: InteractionContextType.Guild, attachment_size_limit: 10 * 1024 * 1024,
      ...(clicked ? { message: world.apiMessage(clicked, interactions.findMessage(clicked.id) ? { webhook_id: applicationId, application_id: applicationId } : {}) } : {}),
    }, { guildId });
    return pending.settled;
  }

  function commandData(name: string, invoke: InvokeOptions, focused?: { name: string; value: string }): Record<string, unknown> {
    const { guildId } = placeOf(invoke.channelId ?? deps.defaultChannelId);
    const command = world.findCommand(name, guildId);
    if (!command) throw new RefusedByClient(`/${name} is not registered (registered: ${world.commandNames(guildId).map((n) => `/${n}`).join(', ') || 'none'})`);
    const user = invoke.as ?? world.members.admin;
    const gate = command.default_member_permissions;
    const required = typeof gate === 'string' || typeof gate === 'number' ? BigInt(gate) : 0n;
    if ((world.guildPermissions(user, guildId) & required) !== required) {
      throw new RefusedByClient(`${user.username} may not use /${name}: Discord hides it from members without the permission it requires`);
    }
    return { id: command.id, name, type: ApplicationCommandType.ChatInput, options: buildOptions(command, invoke, directory(guildId), focused), ...(command.guild_id ? { guild_id: command.guild_id } : {}) };
  }

  return {
    async command(name, invoke = {}) {
      return send(InteractionType.ApplicationCommand, commandData(name, invoke), invoke.as ?? world.members.admin, invoke.channelId ?? deps.defaultChannelId);
    },
    async autocomplete(name, focused, invoke = {}) {
      const reply = await send(InteractionType.ApplicationCommandAutocomplete, commandData(name, invoke, focused), invoke.as ?? world.members.admin, invoke.channelId ?? deps.defaultChannelId);
      return reply.body as { choices: { name: string; value: string | number }[] };
    },
    async click(target, customId, options = {}) {
      const message = findMessage(target.id);
      if (!message) throw new RefusedByClient(`message ${target.id} is not in the sandbox`);
      const component = findComponent(message.body, customId);
      if (!component) throw new RefusedByClient(`message ${message.id} has no component "${customId}"`);
      if (component.disabled) throw new RefusedByClient(`the button "${customId}" is disabled`);
      if (component.type !== ComponentType.Button) throw new RefusedByClient(`"${customId}" is not a button`);
      return send(InteractionType.MessageComponent, { custom_id: customId, component_type: ComponentType.Button }, options.as ?? world.members.admin, message.channelId, message);
    },
    message(id) {
      return findMessage(id)?.body;
    },
    directory,
  };
}
