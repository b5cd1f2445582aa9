// /digest setup (a new digest, or one replaced whole), /digest live (the same for a live digest) and /digest edit
// (only the options given change): all read the same options the same way, so a setting means one thing whichever
// way it was set.
import type { ChatInputCommandInteraction, GuildBasedChannel } from 'discord.js';
import type { BotContext } from '../../context.js';
import { missingBotPermissions } from '../../preconditions.js';
import { notice } from '../../replies.js';
import type { Reply } from '../../replies.js';
import { describeSchedule, describeSubscription } from '../../subscriptionText.js';
import { timeZoneChoices } from '../../timezones.js';
import { parseWindow } from '../../../digest/settings.js';
import { DIGEST_LAYOUTS, IMAGE_SIZES } from '../../../digest/layout.js';
import { DAYS_EXAMPLES, EVERY_DAY, parseWeekdays } from '../../../schedule/days.js';
import type { DigestKind, Subscription, SubscriptionInput } from '../../../state/types.js';
import { DIGESTS_PER_SERVER_MAX } from '../../../subscriptions/service.js';
import { parseTimeOfDay } from '../../../util/timeOfDay.js';
import { matchTimeZone } from '../../../util/timezone.js';
import { cleanText, displayText } from '../../../util/text.js';
import { DIGEST_CHANNEL_TYPES, DIGEST_NAME_MAX, SCHEDULED_ONLY_OPTIONS } from './definition.js';
import { LIST_MAX, readFacetList, splitList } from './facetLists.js';
import { mention, pickDigest } from './pick.js';
import { closedChannel, targetProblem } from './target.js';

type Read<T> = { ok: true; value: T } | { ok: false; message: string };
// Discord offers only the declared choices, but a stale registration or another client may send anything.
const isOneOf = <T extends string>(allowed: readonly T[], value: string): value is T => (allowed as readonly string[]).includes(value);
const refuse = (message: string): { ok: false; message: string } => ({ ok: false, message });

const zoneList = (zones: readonly string[]) => zones.map((z) => `\`${z}\``).join(', ');

/** Why a typed time zone was refused, with the zones it might have meant. */
function unknownZone(typed: string, ambiguous: readonly string[] | undefined): string {
  const shown = displayText(typed, 64);
  if (ambiguous) return `“${shown}” names several time zones: ${zoneList(ambiguous)}. Run the command again with the one you mean.`;
  const near = timeZoneChoices(typed, 3).map((c) => String(c.value));
  const hint = near.length ? `Did you mean ${zoneList(near)}?` : 'Pick one of the suggestions, such as `Europe/Paris` or `America/New_York`.';
  return `That time zone is unknown: “${shown}”. ${hint}`;
}

// A list option typed as "none" empties the list: Discord has no way to send an empty option.
const isNone = (raw: string) => raw.trim().toLowerCase() === 'none';

/** The digest `base` with every option the member gave applied, or the first option refused, by name. */
function applyOptions(interaction: ChatInputCommandInteraction, context: BotContext, base: SubscriptionInput): Read<SubscriptionInput> {
  const options = interaction.options;
  const next: SubscriptionInput = { ...base, settings: { ...base.settings } };
  const typedTime = options.getString('time');
  if (typedTime !== null) {
    const time = parseTimeOfDay(typedTime);
    if (!time) return refuse('The time must be HH:mm on a 24-hour clock, such as `08:30` or `18:05`.');
    next.time = time;
  }
  const typedZone = options.getString('timezone');
  if (typedZone !== null) {
    const zone = matchTimeZone(typedZone);
    if (!zone || !('zone' in zone)) return refuse(unknownZone(typedZone, zone ? zone.ambiguous : undefined));
    next.timezone = zone.zone;
  }
  const typedDays = options.getString('days');
  if (typedDays !== null) {
    const days = parseWeekdays(typedDays);
    if (!days) return refuse(`\`days\` must be ${DAYS_EXAMPLES}; “${displayText(typedDays, 60)}” is not.`);
    next.days = days;
  }
  const typedName = options.getString('name');
  if (typedName !== null) {
    const name = cleanText(typedName).trim();
    if (name === '' || name.length > DIGEST_NAME_MAX) return refuse(`A digest’s name needs 1 to ${DIGEST_NAME_MAX} visible characters.`);
    next.name = name;
  }
  const size = options.getInteger('size');
  if (size !== null) next.settings.size = size;
  const minQuality = options.getInteger('min_quality');
  if (minQuality !== null) next.settings.minQuality = minQuality;
  for (const [option, key] of [['topics', 'topics'], ['providers', 'providers'], ['exclude_providers', 'excludeProviders']] as const) {
    const raw = options.getString(option);
    if (raw === null) continue;
    if (isNone(raw)) {
      next.settings[key] = [];
      continue;
    }
    const read = readFacetList(raw, option === 'topics' ? 'topics' : 'providers', context.library);
    if (!read.ok) return refuse(`\`${option}\`: ${read.message}`);
    next.settings[key] = read.values;
  }
  const keywords = options.getString('keywords');
  if (keywords !== null) {
    const list = isNone(keywords) ? [] : splitList(keywords);
    if (list.length > LIST_MAX) return refuse(`Name at most ${LIST_MAX} keywords.`);
    next.settings.keywords = list;
  }
  const windowText = options.getString('window');
  if (windowText !== null) {
    const window = parseWindow(windowText);
    if (!window) return refuse('Pick one of the suggested windows: new since the previous digest, the last 24 hours or the last 7 days.');
    next.settings.window = window;
  }
  const layout = options.getString('layout');
  if (layout !== null) {
    if (!isOneOf(DIGEST_LAYOUTS, layout)) return refuse(`\`layout\` must be one of ${DIGEST_LAYOUTS.join(', ')}.`);
    next.settings.layout = layout;
  }
  const images = options.getString('images');
  if (images !== null) {
    if (!isOneOf(IMAGE_SIZES, images)) return refuse(`\`images\` must be one of ${IMAGE_SIZES.join(', ')}.`);
    next.settings.images = images;
  }
  const roleId = options.get('mention_role')?.value;
  if (roleId !== undefined) {
    if (roleId === interaction.guildId) return refuse('Pick a role to mention other than @everyone.');
    next.mentionRoleId = String(roleId);
  }
  const every = options.getInteger('every');
  if (every !== null) next.settings.everyMinutes = every;
  const publish = options.getBoolean('publish');
  if (publish !== null) next.publish = publish;
  const foreign = optionOfOtherKind(interaction, next);
  return foreign ? refuse(foreign) : { ok: true, value: next };
}

/**
 * Why an option given does not apply to the digest's kind (an edit can name any), or null. Refused rather than
 * ignored: a member who sets a time on a live digest expects it to mean something.
 */
function optionOfOtherKind(interaction: ChatInputCommandInteraction, digest: SubscriptionInput): string | null {
  const name = `**${displayText(digest.name, 60)}**`;
  if (digest.kind === 'scheduled') {
    if (interaction.options.get('every') === null) return null;
    return `\`every\` sets how often a live digest may post, and ${name} is posted at set times. To make it live, run \`/digest live\` with its name.`;
  }
  const given = SCHEDULED_ONLY_OPTIONS.find((option) => interaction.options.get(option) !== null);
  if (given === undefined) return null;
  return `${name} is a live digest: it posts each new story as it arrives, so \`${given}\` does not apply to it. To post it at set times instead, run \`/digest setup\` with its name.`;
}

const PICK_CHANNEL = 'Pick a text, announcement or forum channel, or a thread, of this server for the digest.';

/**
 * The channel of the `channel` option as the bot knows it (from the guild cache, so a channel deleted since is
 * seen as gone), checked for what the bot needs there.
 */
function usableChannel(interaction: ChatInputCommandInteraction): Read<GuildBasedChannel> | undefined {
  const id = interaction.options.get('channel')?.value;
  if (id === undefined) return undefined;
  const channel = interaction.guild?.channels.cache.get(String(id));
  if (!channel || !(DIGEST_CHANNEL_TYPES as number[]).includes(channel.type)) return refuse(PICK_CHANNEL);
  const me = interaction.guild!.members.me;
  const missing = missingBotPermissions(channel, me);
  if (missing.length > 0) {
    return refuse(`I cannot post digests in ${mention(channel.id)}: I am missing **${missing.join('**, **')}** there. Grant ${missing.length > 1 ? 'them' : 'it'} to me in the channel’s permissions, then run the command again.`);
  }
  const closed = closedChannel(channel, me);
  return closed ? refuse(closed) : { ok: true, value: channel };
}

/** A name for a new digest: the channel's (and `suffix`), made unique in the server. */
function defaultName(channel: GuildBasedChannel, taken: readonly Subscription[], suffix = ''): string {
  const used = new Set(taken.map((d) => d.name.toLowerCase()));
  const base = `${cleanText(channel.name).slice(0, DIGEST_NAME_MAX - 3 - suffix.length) || 'Digest'}${suffix}`;
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base} ${n}`;
    if (!used.has(name.toLowerCase())) return name;
  }
}

/** The live digest of the channel other than `except`: a channel holds one, so it gets at most one post per interval. */
async function otherLiveDigest(context: BotContext, channelId: string, except: number | undefined): Promise<Subscription | undefined> {
  return (await context.subscriptions.list({ channelId })).find((d) => d.kind === 'live' && d.id !== except);
}

/** Saves the digest (new, or replacing `replacing`) and says what it is now, or why it was refused. */
async function save(context: BotContext, interaction: ChatInputCommandInteraction, input: SubscriptionInput, replacing: number | undefined, verb: 'setup' | 'edit' | 'live'): Promise<Reply> {
  const misplaced = targetProblem(input, interaction.guild?.channels.cache.get(input.channelId));
  if (misplaced) return notice(misplaced);
  const live = input.kind === 'live' ? await otherLiveDigest(context, input.channelId, replacing) : undefined;
  if (live) {
    return notice(`${mention(input.channelId)} already has a live digest, **${displayText(live.name, 60)}**, and a channel holds one, so that it gets at most one post every few minutes. Change that one with \`/digest edit\`, or give its \`name\` to replace it.`);
  }
  const result = await context.subscriptions.setUp(input, replacing, verb === 'edit');
  if (!result.ok) {
    if (result.problem === 'too-many') return notice(`This server already has ${result.count} digests, the most it may hold (${DIGESTS_PER_SERVER_MAX}). Remove one with \`/digest remove\` first, or change one with \`/digest edit\`.`);
    return notice(`A digest called **${displayText(result.holder.name, 60)}** already posts in ${mention(result.holder.channelId)}. Pick another \`name\`, or change that one with \`/digest edit\`.`);
  }
  const { subscription } = result;
  context.logger.info({ event: `digest.${verb}`, guildId: interaction.guildId, subscriptionId: subscription.id, channelId: subscription.channelId, userId: interaction.user.id }, 'digest saved');
  const details = describeSubscription(subscription, context.clock.now()).join('\n');
  const what = verb === 'edit' ? 'changed' : result.replaced ? 'replaced' : 'set up';
  return notice(`Digest **${displayText(subscription.name, 60)}** ${what} for ${mention(subscription.channelId)}. ${describeSchedule(subscription)}.\n${details}`);
}

/** The digest of the channel with the name typed (case ignored), if any. */
const namedIn = (digests: readonly Subscription[], typedName: string) => digests.find((d) => d.name.toLowerCase() === cleanText(typedName).trim().toLowerCase());

/**
 * What /digest setup and /digest live do differently: which of the channel's digests one set up without a name
 * replaces, the default name's ending, and the zone. Setup replaces the channel's only digest, as it always did;
 * live replaces the channel's live digest (a channel holds one). With a name, either replaces the digest of that
 * name in the channel (a scheduled one may become live, and back), and any other name adds a digest.
 */
const NEW_DIGEST: Record<DigestKind, { unnamed: (inChannel: readonly Subscription[]) => Subscription | undefined; suffix: string; timezone: string }> = {
  scheduled: { unnamed: (inChannel) => (inChannel.length === 1 ? inChannel[0] : undefined), suffix: '', timezone: '' },
  live: { unnamed: (inChannel) => inChannel.find((d) => d.kind === 'live'), suffix: ' live', timezone: 'UTC' },
};

async function create(interaction: ChatInputCommandInteraction, context: BotContext, kind: DigestKind): Promise<Reply> {
  const channel = usableChannel(interaction);
  if (!channel?.ok) return notice(channel?.message ?? PICK_CHANNEL);
  const guildId = interaction.guildId!;
  const inServer = await context.subscriptions.list({ guildId });
  const inChannel = inServer.filter((d) => d.channelId === channel.value.id);
  const typedName = interaction.options.getString('name');
  const rule = NEW_DIGEST[kind];
  if (kind === 'scheduled' && typedName === null && inChannel.length > 1) {
    return notice(`${mention(channel.value.id)} has ${inChannel.length} digests. Give a \`name\` to replace one of them or to add another, or change one with \`/digest edit\`.`);
  }
  const replacing = typedName === null ? rule.unnamed(inChannel) : namedIn(inChannel, typedName);
  const base: SubscriptionInput = {
    name: replacing?.name ?? defaultName(channel.value, inServer, rule.suffix),
    channelId: channel.value.id,
    guildId,
    kind,
    time: '',
    days: EVERY_DAY,
    timezone: rule.timezone,
    settings: context.digests.defaultSettings(),
    mentionRoleId: null,
    publish: false,
  };
  const read = applyOptions(interaction, context, base);
  if (!read.ok) return notice(read.message);
  // A live digest takes what becomes eligible from now on: what the library holds already is dated first.
  if (kind === 'live') await context.digests.noteEligibility();
  return save(context, interaction, read.value, replacing?.id, kind === 'live' ? 'live' : 'setup');
}

export const setup = (interaction: ChatInputCommandInteraction, context: BotContext): Promise<Reply> => create(interaction, context, 'scheduled');

/** /digest live: a live digest in the channel (see NEW_DIGEST for which one it replaces). */
export const live = (interaction: ChatInputCommandInteraction, context: BotContext): Promise<Reply> => create(interaction, context, 'live');

export async function edit(interaction: ChatInputCommandInteraction, context: BotContext): Promise<Reply> {
  const picked = await pickDigest(interaction, context);
  if (!picked.ok) return notice(picked.message);
  const channel = usableChannel(interaction);
  if (channel && !channel.ok) return notice(channel.message);
  const { name, guildId, kind, time, days, timezone, settings, mentionRoleId, publish } = picked.subscription;
  const current: SubscriptionInput = { name, guildId, kind, time, days, timezone, settings, mentionRoleId, publish, channelId: channel?.value.id ?? picked.subscription.channelId };
  const read = applyOptions(interaction, context, current);
  if (!read.ok) return notice(read.message);
  return save(context, interaction, read.value, picked.subscription.id, 'edit');
}
