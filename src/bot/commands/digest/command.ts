// /digest: a channel's daily digest — preview it, set it up, post it now, pause, resume, remove, and the status of
// every digest of the server.
import { ApplicationCommandOptionType, ApplicationCommandType, ChannelType, InteractionContextType, PermissionFlagsBits } from 'discord.js';
import type { APIEmbedField, ChatInputCommandInteraction, GuildBasedChannel } from 'discord.js';
import type { SlashCommand, Subcommand } from './types.js';
import type { BotContext } from '../context.js';
import { missingBotPermissions, requireGuild, requireManageGuild } from '../preconditions.js';
import { EMBED_COLOR, notice } from '../replies.js';
import type { Reply } from '../replies.js';
import { describeSchedule, describeSubscription } from '../subscriptionText.js';
import { timeZoneChoices } from '../timezones.js';
import { parseTimeOfDay } from '../../util/timeOfDay.js';
import { matchTimeZone } from '../../util/timezone.js';
import { DIGEST_SIZE_MAX, parseWindow } from '../../digest/settings.js';
import { AUTOCOMPLETE_CHOICES_MAX, EMBED_FIELD_NAME_MAX, EMBED_FIELD_VALUE_MAX, EMBED_FIELDS_MAX, MESSAGE_EMBED_TEXT_MAX } from '../../discord/limits.js';
import type { Subscription } from '../../state/types.js';
import { displayText, plural, truncate } from '../../util/text.js';

const DIGEST_CHANNEL_TYPES: (ChannelType.GuildText | ChannelType.GuildAnnouncement)[] = [ChannelType.GuildText, ChannelType.GuildAnnouncement];
const LIST_MAX = 10;
// The windows a daily digest makes sense with; the values are what parseWindow reads.
const WINDOW_CHOICES = [
  { name: 'Since the previous digest (at most 24 h; default)', value: 'since-last' },
  { name: 'The last 24 hours', value: '24h' },
  { name: 'The last 7 days', value: '7d' },
];
const QUALITY_MAX = 1000;

const channelOption = (description: string, required = false) =>
  ({ type: ApplicationCommandOptionType.Channel, name: 'channel', description, required, channel_types: DIGEST_CHANNEL_TYPES }) as const;
const forChannel = (verb: string) => [channelOption(`The channel whose digest to ${verb} (default: this one)`)];

export const definition = {
  type: ApplicationCommandType.ChatInput,
  name: 'digest',
  description: 'Daily news digests posted in this server’s channels',
  contexts: [InteractionContextType.Guild],
  // Hidden from members without Manage Server by default; every subcommand that changes something checks again.
  default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
  options: [
    { type: ApplicationCommandOptionType.Subcommand, name: 'preview', description: 'See the digest this channel would receive now (only you see it)' },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'setup',
      description: 'Post a daily digest in a channel (replaces its previous settings)',
      options: [
        channelOption('Where to post the digest', true),
        { type: ApplicationCommandOptionType.String, name: 'time', description: 'Time of day, HH:mm on a 24-hour clock (e.g. 08:30)', required: true, max_length: 5 },
        { type: ApplicationCommandOptionType.String, name: 'timezone', description: 'Time zone of that time, e.g. Europe/Paris', required: true, autocomplete: true, max_length: 64 },
        { type: ApplicationCommandOptionType.Integer, name: 'size', description: 'Stories per digest', min_value: 1, max_value: DIGEST_SIZE_MAX },
        { type: ApplicationCommandOptionType.String, name: 'topics', description: 'Only these topics, separated by commas', max_length: 300 },
        { type: ApplicationCommandOptionType.String, name: 'providers', description: 'Only these outlets (domains or names), separated by commas', max_length: 300 },
        { type: ApplicationCommandOptionType.Integer, name: 'min_quality', description: 'Leave out articles scored below this', min_value: 0, max_value: QUALITY_MAX },
        { type: ApplicationCommandOptionType.String, name: 'exclude_providers', description: 'Never these outlets (domains or names), separated by commas', max_length: 300 },
        { type: ApplicationCommandOptionType.String, name: 'keywords', description: 'Only articles mentioning one of these words, separated by commas', max_length: 300 },
        { type: ApplicationCommandOptionType.String, name: 'window', description: 'How far back each digest looks', choices: WINDOW_CHOICES },
        { type: ApplicationCommandOptionType.Role, name: 'mention_role', description: 'A role to mention with each digest' },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'now', description: 'Post the digest now', options: forChannel('post') },
    { type: ApplicationCommandOptionType.Subcommand, name: 'pause', description: 'Stop posting the digest until resumed', options: forChannel('pause') },
    { type: ApplicationCommandOptionType.Subcommand, name: 'resume', description: 'Post the digest again', options: forChannel('resume') },
    { type: ApplicationCommandOptionType.Subcommand, name: 'remove', description: 'Stop and delete the digest', options: forChannel('remove') },
    { type: ApplicationCommandOptionType.Subcommand, name: 'status', description: 'Every digest of this server: schedule, next run, last result' },
  ],
} satisfies SlashCommand['definition'];

// ---- helpers

/** The id of the channel the command is about: the `channel` option, else the channel it was run in. */
function chosenChannelId(interaction: ChatInputCommandInteraction): string {
  return String(interaction.options.get('channel')?.value ?? interaction.channelId);
}

/**
 * That channel as the bot knows it, read from the guild cache rather than the interaction's resolved data, so a
 * channel deleted since is seen as gone.
 */
function chosenChannel(interaction: ChatInputCommandInteraction): GuildBasedChannel | undefined {
  return interaction.guild?.channels.cache.get(chosenChannelId(interaction));
}

const mention = (channelId: string) => `<#${channelId}>`;

const zoneList = (zones: readonly string[]) => zones.map((z) => `\`${z}\``).join(', ');

/** Why a typed time zone was refused, with the zones it might have meant. */
function unknownZone(typed: string, ambiguous: readonly string[] | undefined): string {
  const shown = displayText(typed, 64);
  if (ambiguous) return `“${shown}” names several time zones: ${zoneList(ambiguous)}. Run \`/digest setup\` again with the one you mean.`;
  const near = timeZoneChoices(typed, 3).map((c) => String(c.value));
  const hint = near.length ? `Did you mean ${zoneList(near)}?` : 'Pick one of the suggestions, such as `Europe/Paris` or `America/New_York`.';
  return `That time zone is unknown: “${shown}”. ${hint}`;
}

function list(raw: string | null): string[] {
  return [...new Set((raw ?? '').split(',').map((item) => item.trim()).filter(Boolean))];
}

// ---- subcommands

async function preview(interaction: ChatInputCommandInteraction, { digests, clock }: BotContext): Promise<Reply> {
  const draft = digests.draft(digests.targetFor(interaction.channelId), clock.now());
  if (!draft.ok) return notice(`Nothing to preview for ${mention(interaction.channelId)}: ${draft.detail}`);
  const first = draft.messages[0]!;
  const more = draft.messages.length > 1 ? ` Shown: the first of ${draft.messages.length} messages.` : '';
  return {
    content: `Preview of the digest ${mention(interaction.channelId)} would receive now: ${plural(draft.stories, 'story', 'stories')}. Nothing was posted.${more}`,
    embeds: first.payload.embeds,
    ephemeral: true,
  };
}

function setup(interaction: ChatInputCommandInteraction, context: BotContext): Reply {
  const channel = chosenChannel(interaction);
  if (!channel || !(DIGEST_CHANNEL_TYPES as ChannelType[]).includes(channel.type)) return notice('Pick a text or announcement channel of this server for the digest.');
  const time = parseTimeOfDay(interaction.options.getString('time', true));
  if (!time) return notice('The time must be HH:mm on a 24-hour clock, such as `08:30` or `18:05`.');
  const typedZone = interaction.options.getString('timezone', true);
  const zone = matchTimeZone(typedZone);
  if (!zone || !('zone' in zone)) return notice(unknownZone(typedZone, zone ? zone.ambiguous : undefined));
  const { zone: timezone } = zone;
  const missing = missingBotPermissions(channel, interaction.guild!.members.me);
  if (missing.length > 0) {
    return notice(`I cannot post digests in ${mention(channel.id)}: I am missing **${missing.join('**, **')}** there. Grant ${missing.length > 1 ? 'them' : 'it'} to me in the channel’s permissions, then run \`/digest setup\` again.`);
  }
  const topics = list(interaction.options.getString('topics'));
  const providers = list(interaction.options.getString('providers'));
  const excludeProviders = list(interaction.options.getString('exclude_providers'));
  const keywords = list(interaction.options.getString('keywords'));
  if ([topics, providers, excludeProviders, keywords].some((l) => l.length > LIST_MAX)) {
    return notice(`Name at most ${LIST_MAX} topics, ${LIST_MAX} outlets of each kind and ${LIST_MAX} keywords.`);
  }
  const defaults = context.digests.defaultSettings();
  const windowText = interaction.options.getString('window');
  const window = windowText === null ? defaults.window : parseWindow(windowText);
  if (!window) return notice('Pick one of the suggested windows: since the previous digest, the last 24 hours or the last 7 days.');
  const roleId = interaction.options.get('mention_role')?.value;
  if (roleId === interaction.guildId) return notice('Pick a role to mention other than @everyone.');

  const subscription = context.subscriptions.setUp({
    channelId: channel.id,
    guildId: interaction.guildId!,
    time,
    timezone,
    settings: {
      ...defaults,
      size: interaction.options.getInteger('size') ?? defaults.size,
      topics,
      providers,
      excludeProviders,
      keywords,
      window,
      minQuality: interaction.options.getInteger('min_quality'),
    },
    mentionRoleId: typeof roleId === 'string' ? roleId : null,
  });
  context.logger.info({ event: 'digest.setup', guildId: interaction.guildId, channelId: channel.id, time, timezone, userId: interaction.user.id }, 'digest set up');
  const unknown = [...topics.filter((t) => !context.library.findTopic(t)), ...[...providers, ...excludeProviders].filter((p) => !context.library.findProvider(p))];
  const warning = unknown.length > 0 ? `\nNo article has ${unknown.map((name) => `“${displayText(name, 100)}”`).join(', ')} yet; the digest will include such articles once there are some.` : '';
  const details = describeSubscription(subscription, context.clock.now()).join('\n');
  return notice(`Digest set up for ${mention(channel.id)}. ${describeSchedule(subscription)}.\n${details}${warning}`);
}

/** Runs `action` on the chosen channel's subscription of this server, or says there is none. */
function withSubscription(action: (subscription: Subscription, context: BotContext) => Promise<Reply> | Reply): Subcommand['run'] {
  return async (interaction, context) => {
    const channelId = chosenChannelId(interaction);
    const subscription = context.subscriptions.get(channelId);
    if (!subscription || subscription.guildId !== interaction.guildId) {
      return notice(`${mention(channelId)} has no digest. Set one up with \`/digest setup\`.`);
    }
    const reply = await action(subscription, context);
    context.logger.info({ event: `digest.${interaction.options.getSubcommand()}`, guildId: interaction.guildId, channelId, userId: interaction.user.id }, 'digest changed');
    return reply;
  };
}

async function postNow(subscription: Subscription, { digests }: BotContext): Promise<Reply> {
  const outcome = await digests.postNow(subscription);
  const where = mention(subscription.channelId);
  const detail = displayText(outcome.summary.replace(/^\w+: /, ''), 500);
  switch (outcome.status) {
    case 'posted':
      return notice(`Digest posted in ${where} (${plural(outcome.messageIds.length, 'message', 'messages')}).`);
    case 'empty':
      return notice(`Nothing new to post in ${where}: ${detail}`);
    case 'failed':
      return notice(`I could not post in ${where}: ${detail}. Its digest is paused; fix this, then run \`/digest resume\`.`);
    case 'skipped':
      return notice(`A digest for ${where} is being posted or was posted this very moment; nothing more to post.`);
    case 'stopped':
      return notice(`The digest for ${where} is stopped, so that nothing is posted twice: ${detail}`);
    default:
      return notice(`Discord is slow to accept the digest for ${where}; the rest will be posted shortly.`);
  }
}

const STATUS_TITLE = 'Digests of this server';
// Room kept for the title and the "and N more" footer within the text all embeds of a message may hold.
const STATUS_TEXT_MAX = MESSAGE_EMBED_TEXT_MAX - STATUS_TITLE.length - 100;

function status(interaction: ChatInputCommandInteraction, { store, clock, digests }: BotContext): Reply {
  const subscriptions = store.listSubscriptions(interaction.guildId!);
  if (subscriptions.length === 0) return notice('This server has no digest yet. Set one up with `/digest setup`.');
  const now = clock.now();
  const fields: APIEmbedField[] = [];
  let used = 0;
  for (const s of subscriptions) {
    // The channel once, as a mention in the value (a field's name shows no mention): the name is the schedule.
    const field = {
      name: truncate(describeSchedule(s), EMBED_FIELD_NAME_MAX),
      value: truncate([mention(s.channelId), ...describeSubscription(s, now, digests.problem(s.channelId))].join('\n'), EMBED_FIELD_VALUE_MAX),
    };
    if (fields.length === EMBED_FIELDS_MAX || used + field.name.length + field.value.length > STATUS_TEXT_MAX) break;
    fields.push(field);
    used += field.name.length + field.value.length;
  }
  const hidden = subscriptions.length - fields.length;
  return {
    embeds: [{ title: STATUS_TITLE, color: EMBED_COLOR, fields, ...(hidden > 0 ? { footer: { text: `and ${hidden} more not shown` } } : {}) }],
    ephemeral: true,
  };
}

export const command: SlashCommand = {
  definition,
  subcommands: {
    // Reading only: anyone the server lets run /digest may preview.
    preview: { preconditions: [requireGuild], defer: true, run: preview },
    setup: { preconditions: [requireManageGuild], run: setup },
    now: { preconditions: [requireManageGuild], defer: true, run: withSubscription(postNow) },
    pause: {
      preconditions: [requireManageGuild],
      run: withSubscription(({ channelId }, { subscriptions }) => {
        subscriptions.pause(channelId);
        return notice(`The digest of ${mention(channelId)} is paused. \`/digest resume\` starts it again.`);
      }),
    },
    resume: {
      preconditions: [requireManageGuild],
      run: withSubscription(({ channelId }, { subscriptions }) => {
        subscriptions.resume(channelId);
        return notice(`The digest of ${mention(channelId)} is running again.`);
      }),
    },
    remove: {
      preconditions: [requireManageGuild],
      run: withSubscription(({ channelId }, { subscriptions }) => {
        subscriptions.remove(channelId);
        return notice(`The digest of ${mention(channelId)} is removed. The stories it received are remembered, so a new digest there will not repeat them.`);
      }),
    },
    status: { preconditions: [requireManageGuild], run: status },
  },
  autocomplete(interaction) {
    const focused = interaction.options.getFocused(true);
    return focused.name === 'timezone' ? timeZoneChoices(String(focused.value), AUTOCOMPLETE_CHOICES_MAX) : [];
  },
};
