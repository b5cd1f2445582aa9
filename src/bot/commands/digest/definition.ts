// What /digest looks like to Discord: its subcommands and their options, apart from the logic (handlers in this
// folder). Every bound declared here is checked again before a handler runs (optionBounds.ts).
import { ApplicationCommandOptionType, ApplicationCommandType, ChannelType, InteractionContextType, PermissionFlagsBits } from 'discord.js';
import type { SlashCommand } from '../types.js';
import { DIGEST_SIZE_MAX, QUALITY_MAX, QUALITY_MIN } from '../../../digest/settings.js';
import { DIGEST_LAYOUTS, IMAGE_SIZES } from '../../../digest/layout.js';
import { DEFAULT_LIVE_EVERY_MINUTES, LIVE_EVERY_MAX_MINUTES, LIVE_EVERY_MIN_MINUTES } from '../../../schedule/liveBatch.js';

// Private threads are left out: members would not see a digest there without being added one by one.
export const DIGEST_CHANNEL_TYPES: (ChannelType.GuildText | ChannelType.GuildAnnouncement | ChannelType.GuildForum | ChannelType.PublicThread | ChannelType.AnnouncementThread)[] = [
  ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum, ChannelType.PublicThread, ChannelType.AnnouncementThread,
];
export const DIGEST_NAME_MAX = 50;
export const LIST_TEXT_MAX = 300;

// The windows a digest makes sense with; the values are what parseWindow reads.
const WINDOW_CHOICES = [
  { name: 'New since the previous digest (default)', value: 'since-last' },
  { name: 'The last 24 hours', value: '24h' },
  { name: 'The last 7 days', value: '7d' },
];

const LAYOUT_CHOICES = DIGEST_LAYOUTS.map((value) => ({ name: value, value }));
const IMAGE_CHOICES = IMAGE_SIZES.map((value) => ({ name: value, value }));

const channel = (description: string, required = false) =>
  ({ type: ApplicationCommandOptionType.Channel, name: 'channel', description, required, channel_types: DIGEST_CHANNEL_TYPES }) as const;
const digest = (verb: string, required = false) =>
  ({ type: ApplicationCommandOptionType.String, name: 'digest', description: `The digest to ${verb} (default: this channel’s)`, required, autocomplete: true, max_length: 100 }) as const;
const text = (name: string, description: string, max: number, autocomplete = false) =>
  ({ type: ApplicationCommandOptionType.String, name, description, max_length: max, ...(autocomplete ? { autocomplete } : {}) }) as const;

/** What a digest sends and when: every option of setup after its required ones, and every option of edit. */
const SETTINGS_OPTIONS = [
  text('name', 'A name for this digest, unique in the server (default: the channel’s name)', DIGEST_NAME_MAX),
  text('days', 'Days it runs: every day (default), weekdays, weekends, monday, or mon, wed, fri', 60, true),
  { type: ApplicationCommandOptionType.Integer, name: 'size', description: 'Stories per digest', min_value: 1, max_value: DIGEST_SIZE_MAX },
  text('topics', 'Only these topics, separated by commas', LIST_TEXT_MAX, true),
  text('providers', 'Only these outlets (domains or names), separated by commas', LIST_TEXT_MAX, true),
  text('exclude_providers', 'Never these outlets (domains or names), separated by commas', LIST_TEXT_MAX, true),
  {
    type: ApplicationCommandOptionType.Integer,
    name: 'min_quality',
    description: `Leave out articles scored below this (${QUALITY_MIN} to ${QUALITY_MAX}; half score 70 or more)`,
    min_value: QUALITY_MIN,
    max_value: QUALITY_MAX,
  },
  text('keywords', 'Only articles mentioning one of these words, separated by commas', LIST_TEXT_MAX),
  { type: ApplicationCommandOptionType.String, name: 'window', description: 'Which stories each digest takes', choices: WINDOW_CHOICES },
  { type: ApplicationCommandOptionType.Role, name: 'mention_role', description: 'A role to mention with each digest' },
  { type: ApplicationCommandOptionType.String, name: 'layout', description: 'cards: an embed per story (default); compact: one embed; headlines: linked titles', choices: LAYOUT_CHOICES },
  { type: ApplicationCommandOptionType.String, name: 'images', description: 'Story pictures: large (default), thumbnail or none', choices: IMAGE_CHOICES },
  { type: ApplicationCommandOptionType.Boolean, name: 'publish', description: 'Announcement channels: publish each message to the servers following the channel' },
] as const;

/** The options that only a scheduled digest has: a live one posts as stories arrive. */
export const SCHEDULED_ONLY_OPTIONS = ['time', 'timezone', 'days', 'size', 'window'] as const;
const LIVE_OPTIONS = SETTINGS_OPTIONS.filter((option) => !(SCHEDULED_ONLY_OPTIONS as readonly string[]).includes(option.name));

const every = {
  type: ApplicationCommandOptionType.Integer,
  name: 'every',
  description: `Minutes between two live posts, at least (${LIVE_EVERY_MIN_MINUTES} to ${LIVE_EVERY_MAX_MINUTES}; default ${DEFAULT_LIVE_EVERY_MINUTES})`,
  min_value: LIVE_EVERY_MIN_MINUTES,
  max_value: LIVE_EVERY_MAX_MINUTES,
} as const;

const time = (required: boolean) =>
  ({ type: ApplicationCommandOptionType.String, name: 'time', description: 'Time of day, HH:mm on a 24-hour clock (e.g. 08:30)', required, max_length: 5 }) as const;
const timezone = (required: boolean) =>
  ({ type: ApplicationCommandOptionType.String, name: 'timezone', description: 'Time zone of that time, e.g. Europe/Paris', required, autocomplete: true, max_length: 64 }) as const;

export const definition = {
  type: ApplicationCommandType.ChatInput,
  name: 'digest',
  description: 'News digests posted in this server’s channels',
  contexts: [InteractionContextType.Guild],
  // Hidden from members without Manage Server by default; every subcommand that changes something checks again.
  default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
  options: [
    { type: ApplicationCommandOptionType.Subcommand, name: 'preview', description: 'See what a digest would post now (only you see it)', options: [digest('preview')] },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'setup',
      description: 'Add a digest to a channel, or replace one (same name, or the channel’s only one)',
      options: [channel('Where to post the digest', true), time(true), timezone(true), ...SETTINGS_OPTIONS],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'edit',
      description: 'Change some settings of a digest; the others stay as they are',
      options: [digest('change', true), channel('Move the digest to this channel'), time(false), timezone(false), ...SETTINGS_OPTIONS, every],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'live',
      description: 'Post each new story within a minute, batched: at most one post every few minutes',
      options: [channel('Where to post new stories', true), every, ...LIVE_OPTIONS],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'now',
      description: 'Post a digest now',
      options: [digest('post'), channel('The channel whose digest to post'), { type: ApplicationCommandOptionType.Boolean, name: 'force', description: 'Post even if the digest is paused' }],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'pause', description: 'Stop posting a digest until resumed', options: [digest('pause'), channel('The channel whose digest to pause')] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'resume', description: 'Post a paused digest again', options: [digest('resume'), channel('The channel whose digest to resume')] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'remove', description: 'Stop and delete a digest', options: [digest('remove'), channel('The channel whose digest to remove')] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'status', description: 'Every digest of this server: schedule, next run, last result' },
  ],
} satisfies SlashCommand['definition'];
