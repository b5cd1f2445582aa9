// /digest: a server's digests — preview one, set one up (scheduled or live) or edit it, post it now, pause, resume,
// remove, and the status of every digest of the server. Definitions live in definition.ts; setup and edit in setup.ts.
import type { APIEmbedField, ChatInputCommandInteraction } from 'discord.js';
import type { SlashCommand, Subcommand } from '../types.js';
import type { BotContext } from '../../context.js';
import { requireGuild, requireManageGuild } from '../../preconditions.js';
import { EMBED_COLOR, notice } from '../../replies.js';
import type { Reply } from '../../replies.js';
import { describeSchedule, describeSubscription } from '../../subscriptionText.js';
import { timeZoneChoices } from '../../timezones.js';
import { AUTOCOMPLETE_CHOICES_MAX, MESSAGE_CONTENT_MAX, EMBED_FIELD_NAME_MAX, EMBED_FIELD_VALUE_MAX, EMBED_FIELDS_MAX, MESSAGE_EMBED_TEXT_MAX } from '../../../discord/limits.js';
import { dayChoices } from '../../../schedule/days.js';
import type { Subscription } from '../../../state/types.js';
import { displayText, plural, truncate } from '../../../util/text.js';
import { definition } from './definition.js';
import { facetListChoices } from './facetLists.js';
import { digestChoices, mention, pickDigest } from './pick.js';
import { edit, live, setup } from './setup.js';

const named = (s: Subscription) => `**${displayText(s.name, 60)}** in ${mention(s.channelId)}`;

async function preview(interaction: ChatInputCommandInteraction, context: BotContext): Promise<Reply> {
  const { digests, clock } = context;
  // Without a `digest` option, this channel's digest, or the defaults when it has none or several.
  const picked = interaction.options.getString('digest') === null ? undefined : await pickDigest(interaction, context);
  if (picked && !picked.ok) return notice(picked.message);
  const target = picked?.subscription ?? (await digests.targetFor(interaction.channelId));
  const where = picked ? named(picked.subscription) : mention(interaction.channelId);
  const draft = await digests.draft(target, clock.now());
  if (!draft.ok) return notice(`Nothing to preview for ${where}: ${draft.detail}`);
  const first = draft.messages[0]!;
  const more = draft.messages.length > 1 ? ` Shown: the first of ${draft.messages.length} messages.` : '';
  return {
    // A headlines digest has no embed: its lines follow the note, cut where a message ends.
    content: truncate(
      [`Preview of the digest ${where} would receive now: ${plural(draft.stories, 'story', 'stories')}. Nothing was posted.${more}`, first.payload.embeds.length === 0 ? first.payload.content : undefined]
        .filter(Boolean)
        .join('\n'),
      MESSAGE_CONTENT_MAX,
    ),
    embeds: first.payload.embeds,
    ephemeral: true,
  };
}

/** Runs `action` on the digest the command names (or its channel's only digest), or says why there is none. */
function withDigest(action: (subscription: Subscription, context: BotContext, interaction: ChatInputCommandInteraction) => Promise<Reply> | Reply): Subcommand['run'] {
  return async (interaction, context) => {
    const picked = await pickDigest(interaction, context);
    if (!picked.ok) return notice(picked.message);
    const { subscription } = picked;
    const reply = await action(subscription, context, interaction);
    context.logger.info(
      { event: `digest.${interaction.options.getSubcommand()}`, guildId: interaction.guildId, subscriptionId: subscription.id, channelId: subscription.channelId, userId: interaction.user.id },
      'digest changed',
    );
    return reply;
  };
}

async function postNow(subscription: Subscription, { digests }: BotContext, interaction: ChatInputCommandInteraction): Promise<Reply> {
  const where = named(subscription);
  if (subscription.paused && !interaction.options.getBoolean('force')) {
    return notice(`${where} is paused, so nothing was posted. Run \`/digest now force:True\` to post it anyway, or \`/digest resume\` to start it again.`);
  }
  const outcome = await digests.postNow(subscription);
  const detail = displayText(outcome.summary.replace(/^\w+: /, ''), 500);
  switch (outcome.status) {
    case 'posted':
      return notice(`Digest ${where} posted (${plural(outcome.messageIds.length, 'message', 'messages')}).`);
    case 'empty':
      return notice(`Nothing new to post for ${where}: ${detail}`);
    case 'failed':
      return notice(`I could not post ${where}: ${detail}. It is paused; fix this, then run \`/digest resume\`.`);
    case 'skipped':
      return notice(`The digest ${where} is being posted or was posted this very moment; nothing more to post.`);
    case 'stopped':
      return notice(`The digest ${where} is stopped, so that nothing is posted twice: ${detail}`);
    default:
      return notice(`Discord is slow to accept the digest ${where}; the rest will be posted shortly.`);
  }
}

const STATUS_TITLE = 'Digests of this server';
// Room kept for the title and the "and N more" footer within the text all embeds of a message may hold.
const STATUS_TEXT_MAX = MESSAGE_EMBED_TEXT_MAX - STATUS_TITLE.length - 100;

async function status(interaction: ChatInputCommandInteraction, { subscriptions, clock, digests }: BotContext): Promise<Reply> {
  const all = await subscriptions.list({ guildId: interaction.guildId! });
  if (all.length === 0) return notice('This server has no digest yet. Set one up with `/digest setup`.');
  const now = clock.now();
  const fields: APIEmbedField[] = [];
  let used = 0;
  for (const s of all) {
    // A field's name shows no mention: the name is the digest's, and the channel is in the value.
    const field = {
      name: truncate(`${s.paused ? '⏸ ' : ''}${s.name}`, EMBED_FIELD_NAME_MAX),
      value: truncate([`${mention(s.channelId)} · ${describeSchedule(s)}`, ...describeSubscription(s, now, digests.problem(s.id))].join('\n'), EMBED_FIELD_VALUE_MAX),
    };
    if (fields.length === EMBED_FIELDS_MAX || used + field.name.length + field.value.length > STATUS_TEXT_MAX) break;
    fields.push(field);
    used += field.name.length + field.value.length;
  }
  const hidden = all.length - fields.length;
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
    edit: { preconditions: [requireManageGuild], run: edit },
    live: { preconditions: [requireManageGuild], run: live },
    now: { preconditions: [requireManageGuild], defer: true, run: withDigest(postNow) },
    pause: {
      preconditions: [requireManageGuild],
      run: withDigest(async (s, { subscriptions }) => {
        await subscriptions.pause(s.id);
        return notice(`The digest ${named(s)} is paused. \`/digest resume\` starts it again.`);
      }),
    },
    resume: {
      preconditions: [requireManageGuild],
      run: withDigest(async (s, { subscriptions }) => {
        await subscriptions.resume(s.id);
        return notice(`The digest ${named(s)} is running again.`);
      }),
    },
    remove: {
      preconditions: [requireManageGuild],
      run: withDigest(async (s, { subscriptions }) => {
        await subscriptions.remove(s.id);
        return notice(`The digest ${named(s)} is removed. The stories its channel received are remembered, so a new digest there will not repeat them.`);
      }),
    },
    status: { preconditions: [requireManageGuild], run: status },
  },
  autocomplete(interaction, context) {
    const focused = interaction.options.getFocused(true);
    const typed = String(focused.value);
    switch (focused.name) {
      case 'timezone':
        return timeZoneChoices(typed, AUTOCOMPLETE_CHOICES_MAX);
      case 'digest':
        return digestChoices(interaction, context, AUTOCOMPLETE_CHOICES_MAX);
      case 'days':
        return dayChoices(typed, AUTOCOMPLETE_CHOICES_MAX);
      case 'topics':
        return facetListChoices(typed, 'topics', context.library, AUTOCOMPLETE_CHOICES_MAX);
      case 'providers':
      case 'exclude_providers':
        return facetListChoices(typed, 'providers', context.library, AUTOCOMPLETE_CHOICES_MAX);
      default:
        return [];
    }
  },
};
