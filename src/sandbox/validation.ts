import { ApplicationCommandOptionType, ApplicationCommandType, ButtonStyle, ComponentType, InteractionResponseType } from 'discord.js';
import { z } from 'zod';
import {
  ACTION_ROW_COMPONENTS_MAX, AUTOCOMPLETE_CHOICE_NAME_MAX, AUTOCOMPLETE_CHOICE_VALUE_MAX, AUTOCOMPLETE_CHOICES_MAX,
  BUTTON_LABEL_MAX, CUSTOM_ID_MAX, EMBED_AUTHOR_NAME_MAX, EMBED_DESCRIPTION_MAX, EMBED_FIELD_NAME_MAX,
  EMBED_FIELD_VALUE_MAX, EMBED_FIELDS_MAX, EMBED_FOOTER_TEXT_MAX, EMBED_TITLE_MAX, MESSAGE_CONTENT_MAX,
  EMBED_URL_MAX, MESSAGE_EMBED_TEXT_MAX, MESSAGE_EMBEDS_MAX, NONCE_MAX,
} from '../discord/limits.js';
import { SNOWFLAKE } from '../discord/snowflake.js';

// Request bodies as Discord checks them, with its documented limits. Unknown keys are ignored, as Discord does.
// https://discord.com/developers/docs/resources/message#create-message-jsonform-params

/** A zod issue carrying the code and wording Discord itself gives for the mistake (see errors.ts). */
function discordIssue(code: string, message: string) {
  return { message, params: { discord: { code, message } } };
}

export const snowflake = z.union([z.string().regex(SNOWFLAKE), z.number().int().nonnegative()]);

const httpUrl = z.string().max(EMBED_URL_MAX).superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', ...discordIssue('URL_TYPE_INVALID_URL', 'Not a well formed URL.') });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const scheme = url.protocol.replace(/:$/, '');
    ctx.addIssue({
      code: 'custom',
      ...discordIssue('URL_TYPE_INVALID_SCHEME', `Scheme "${scheme}" is not supported. Scheme must be one of ('http', 'https').`),
    });
  }
});

const embedMedia = z.object({ url: httpUrl });

const embed = z.object({
  title: z.string().max(EMBED_TITLE_MAX).optional(),
  type: z.literal('rich').optional(),
  description: z.string().max(EMBED_DESCRIPTION_MAX).optional(),
  url: httpUrl.optional(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  color: z.number().int().min(0).max(0xffffff).optional(),
  footer: z.object({ text: z.string().max(EMBED_FOOTER_TEXT_MAX), icon_url: httpUrl.optional() }).optional(),
  image: embedMedia.optional(),
  thumbnail: embedMedia.optional(),
  author: z.object({ name: z.string().max(EMBED_AUTHOR_NAME_MAX), url: httpUrl.optional(), icon_url: httpUrl.optional() }).optional(),
  fields: z
    .array(z.object({ name: z.string().min(1).max(EMBED_FIELD_NAME_MAX), value: z.string().min(1).max(EMBED_FIELD_VALUE_MAX), inline: z.boolean().optional() }))
    .max(EMBED_FIELDS_MAX)
    .optional(),
});

type Embed = z.infer<typeof embed>;

/**
 * The text Discord counts toward the 6000-character limit shared by all embeds of one message. Counted here
 * independently of src/digest/pack.ts on purpose: the sandbox checks the bot, so it must not share its arithmetic.
 */
function embedTextLength(embeds: readonly Embed[]): number {
  let total = 0;
  for (const e of embeds) {
    total += (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.author?.name.length ?? 0);
    for (const f of e.fields ?? []) total += f.name.length + f.value.length;
  }
  return total;
}

const embeds = z
  .array(embed)
  .max(MESSAGE_EMBEDS_MAX)
  .superRefine((list, ctx) => {
    if (embedTextLength(list) > MESSAGE_EMBED_TEXT_MAX) {
      ctx.addIssue({ code: 'custom', ...discordIssue('MAX_EMBED_SIZE_EXCEEDED', `Embed size exceeds maximum size of ${MESSAGE_EMBED_TEXT_MAX}`) });
    }
  });

const customId = z.string().min(1).max(CUSTOM_ID_MAX);
const emoji = z.object({ id: snowflake.nullable().optional(), name: z.string().nullable().optional(), animated: z.boolean().optional() });

const button = z
  .object({
    type: z.literal(ComponentType.Button),
    style: z.number().int().min(ButtonStyle.Primary).max(ButtonStyle.Premium),
    label: z.string().max(BUTTON_LABEL_MAX).optional(),
    emoji: emoji.optional(),
    custom_id: customId.optional(),
    url: httpUrl.optional(),
    sku_id: snowflake.optional(),
    disabled: z.boolean().optional(),
  })
  .superRefine((b, ctx) => {
    // Discord's rule: a link button has a url and no custom_id; every other (non-premium) style the reverse.
    if (b.style === ButtonStyle.Link) {
      if (b.url === undefined) ctx.addIssue({ code: 'custom', path: ['url'], ...discordIssue('BUTTON_COMPONENT_URL_REQUIRED', 'A url is required') });
      if (b.custom_id !== undefined) ctx.addIssue({ code: 'custom', path: ['custom_id'], ...discordIssue('BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED', 'A custom id cannot be specified') });
    } else if (b.style !== ButtonStyle.Premium) {
      if (b.custom_id === undefined) ctx.addIssue({ code: 'custom', path: ['custom_id'], ...discordIssue('BUTTON_COMPONENT_CUSTOM_ID_REQUIRED', 'A custom id is required') });
      if (b.url !== undefined) ctx.addIssue({ code: 'custom', path: ['url'], ...discordIssue('BUTTON_COMPONENT_URL_NOT_ALLOWED', 'A url cannot be specified') });
      if (b.label === undefined && b.emoji === undefined) ctx.addIssue({ code: 'custom', path: ['label'], ...discordIssue('BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED', 'A label or emoji is required') });
    }
  });

const SELECT_OPTIONS_MAX = 25;
const SELECT_PLACEHOLDER_MAX = 150;
const SELECT_OPTION_TEXT_MAX = 100;

const select = z.object({
  type: z.union([
    z.literal(ComponentType.StringSelect), z.literal(ComponentType.UserSelect), z.literal(ComponentType.RoleSelect),
    z.literal(ComponentType.MentionableSelect), z.literal(ComponentType.ChannelSelect),
  ]),
  custom_id: customId,
  placeholder: z.string().max(SELECT_PLACEHOLDER_MAX).optional(),
  min_values: z.number().int().min(0).max(SELECT_OPTIONS_MAX).optional(),
  max_values: z.number().int().min(1).max(SELECT_OPTIONS_MAX).optional(),
  disabled: z.boolean().optional(),
  options: z
    .array(z.object({
      label: z.string().min(1).max(SELECT_OPTION_TEXT_MAX),
      value: z.string().min(1).max(SELECT_OPTION_TEXT_MAX),
      description: z.string().max(SELECT_OPTION_TEXT_MAX).optional(),
      emoji: emoji.optional(),
      default: z.boolean().optional(),
    }))
    .max(SELECT_OPTIONS_MAX)
    .optional(),
});

const ACTION_ROWS_MAX = 5;

const actionRows = z
  .array(z.object({ type: z.literal(ComponentType.ActionRow), components: z.array(z.union([button, select])).min(1).max(ACTION_ROW_COMPONENTS_MAX) }))
  .max(ACTION_ROWS_MAX)
  .superRefine((rows, ctx) => {
    const seen = new Set<string>();
    rows.forEach((row, r) =>
      row.components.forEach((component, c) => {
        if (component.custom_id === undefined) return;
        if (seen.has(component.custom_id)) {
          ctx.addIssue({ code: 'custom', path: [r, 'components', c, 'custom_id'], ...discordIssue('COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated') });
        }
        seen.add(component.custom_id);
      }),
    );
  });

const allowedMentions = z.object({
  parse: z.array(z.enum(['users', 'roles', 'everyone'])).optional(),
  roles: z.array(snowflake).max(100).optional(),
  users: z.array(snowflake).max(100).optional(),
  replied_user: z.boolean().optional(),
});

// Discord's limit on files per message: 10, like embeds, but a separate limit.
const ATTACHMENTS_MAX = 10;

const attachments = z.array(z.object({ id: snowflake, filename: z.string().optional(), description: z.string().optional() })).max(ATTACHMENTS_MAX);

/** The fields every message-bearing body shares (channel post, forum post, interaction reply, webhook edit and follow-up). */
export const messageFields = {
  content: z.string().max(MESSAGE_CONTENT_MAX).optional(),
  embeds: embeds.optional(),
  components: actionRows.optional(),
  allowed_mentions: allowedMentions.optional(),
  attachments: attachments.optional(),
  flags: z.number().int().nonnegative().optional(),
  tts: z.boolean().optional(),
};

const STICKERS_MAX = 3;
export const stickerIds = z.array(snowflake).max(STICKERS_MAX);

export const messageCreateSchema = z.object({
  ...messageFields,
  nonce: z.union([z.string().max(NONCE_MAX), z.number().int()]).optional(),
  enforce_nonce: z.boolean().optional(),
  message_reference: z.object({ message_id: snowflake, channel_id: snowflake.optional(), guild_id: snowflake.optional(), fail_if_not_exists: z.boolean().optional() }).optional(),
  sticker_ids: stickerIds.optional(),
});

/** PATCH of a message (channel message or interaction webhook message): every field may also be null to clear it. */
export const messageEditSchema = z.object({
  content: messageFields.content.nullable(),
  embeds: messageFields.embeds.nullable(),
  components: messageFields.components.nullable(),
  allowed_mentions: messageFields.allowed_mentions.nullable(),
  attachments: messageFields.attachments.nullable(),
  flags: messageFields.flags.nullable(),
});

export const followUpSchema = z.object({
  ...messageFields,
  username: z.string().max(80).optional(),
  avatar_url: httpUrl.optional(),
  thread_name: z.string().max(100).optional(),
});

const autocompleteChoices = z.object({
  choices: z
    .array(z.object({
      name: z.string().min(1).max(AUTOCOMPLETE_CHOICE_NAME_MAX),
      name_localizations: z.record(z.string(), z.string()).nullable().optional(),
      value: z.union([z.string().max(AUTOCOMPLETE_CHOICE_VALUE_MAX), z.number()]),
    }))
    .max(AUTOCOMPLETE_CHOICES_MAX),
});

const MODAL_TITLE_MAX = 45;

const messageData = z.object(messageFields);

// https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type
export const interactionCallbackSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal(InteractionResponseType.Pong) }),
  z.object({ type: z.literal(InteractionResponseType.ChannelMessageWithSource), data: messageData }),
  z.object({ type: z.literal(InteractionResponseType.DeferredChannelMessageWithSource), data: z.object({ flags: messageFields.flags }).optional() }),
  z.object({ type: z.literal(InteractionResponseType.DeferredMessageUpdate), data: z.object({}).optional() }),
  z.object({ type: z.literal(InteractionResponseType.UpdateMessage), data: messageData.optional() }),
  z.object({ type: z.literal(InteractionResponseType.ApplicationCommandAutocompleteResult), data: autocompleteChoices }),
  z.object({ type: z.literal(InteractionResponseType.Modal), data: z.object({ custom_id: customId, title: z.string().min(1).max(MODAL_TITLE_MAX), components: z.array(z.unknown()).min(1).max(5) }) }),
]);

// Application commands: https://discord.com/developers/docs/interactions/application-commands#application-command-object
const COMMAND_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const COMMAND_DESCRIPTION_MAX = 100;
const COMMAND_OPTIONS_MAX = 25;
const COMMAND_CHOICES_MAX = 25;
const COMMANDS_MAX = 100;

const commandName = z.string().regex(COMMAND_NAME).refine((name) => name === name.toLowerCase(), discordIssue('APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid'));
const description = z.string().min(1).max(COMMAND_DESCRIPTION_MAX);
const localizations = z.record(z.string(), z.string()).nullable().optional();

interface CommandOption {
  type: number;
  name: string;
  description: string;
  required?: boolean | undefined;
  autocomplete?: boolean | undefined;
  choices?: { name: string; value: string | number }[] | undefined;
  options?: CommandOption[] | undefined;
}

const commandOption: z.ZodType<CommandOption> = z.lazy(() =>
  z
    .object({
      type: z.number().int().min(ApplicationCommandOptionType.Subcommand).max(ApplicationCommandOptionType.Attachment),
      name: commandName,
      name_localizations: localizations,
      description,
      description_localizations: localizations,
      required: z.boolean().optional(),
      autocomplete: z.boolean().optional(),
      choices: z.array(z.object({ name: z.string().min(1).max(AUTOCOMPLETE_CHOICE_NAME_MAX), value: z.union([z.string().max(AUTOCOMPLETE_CHOICE_VALUE_MAX), z.number()]) })).max(COMMAND_CHOICES_MAX).optional(),
      options: z.array(commandOption).max(COMMAND_OPTIONS_MAX).optional(),
      channel_types: z.array(z.number().int()).optional(),
      min_value: z.number().optional(),
      max_value: z.number().optional(),
      min_length: z.number().int().min(0).max(6000).optional(),
      max_length: z.number().int().min(1).max(6000).optional(),
    })
    .superRefine((option, ctx) => {
      if (option.autocomplete && option.choices?.length) {
        ctx.addIssue({ code: 'custom', path: ['autocomplete'], ...discordIssue('APPLICATION_COMMAND_AUTOCOMPLETE_INCOMPATIBLE', 'Autocomplete cannot be set with choices') });
      }
    }),
);

export const commandSchema = z
  .object({
    name: commandName,
    name_localizations: localizations,
    description: z.string().max(COMMAND_DESCRIPTION_MAX).optional(),
    description_localizations: localizations,
    type: z.union([
      z.literal(ApplicationCommandType.ChatInput), z.literal(ApplicationCommandType.User), z.literal(ApplicationCommandType.Message),
      z.literal(ApplicationCommandType.PrimaryEntryPoint),
    ]).optional(),
    options: z.array(commandOption).max(COMMAND_OPTIONS_MAX).optional(),
    // A decimal string on the wire (documented), though Discord also takes a number.
    default_member_permissions: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).nullable().optional(),
    dm_permission: z.boolean().nullable().optional(),
    contexts: z.array(z.number().int()).nullable().optional(),
    integration_types: z.array(z.number().int()).optional(),
    nsfw: z.boolean().optional(),
  })
  .superRefine((command, ctx) => {
    // Chat commands need a description; user and message commands must not have one.
    if ((command.type ?? ApplicationCommandType.ChatInput) === ApplicationCommandType.ChatInput && !command.description) {
      ctx.addIssue({ code: 'custom', path: ['description'], ...discordIssue('BASE_TYPE_REQUIRED', 'This field is required') });
    }
  });

export const commandListSchema = z.array(commandSchema).max(COMMANDS_MAX).superRefine((commands, ctx) => {
  const seen = new Set<string>();
  commands.forEach((c, i) => {
    const key = `${c.type ?? ApplicationCommandType.ChatInput}:${c.name}`;
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'name'], ...discordIssue('APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`) });
    seen.add(key);
  });
});

export type InteractionCallbackBody = z.infer<typeof interactionCallbackSchema>;

/** Whether a message body has anything to show; Discord refuses an empty one with 50006, not 50035. */
export function isEmptyMessage(body: { content?: string | null | undefined; embeds?: unknown[] | null | undefined; components?: unknown[] | null | undefined; sticker_ids?: unknown[] | undefined; attachments?: unknown[] | null | undefined }): boolean {
  return !body.content && !body.embeds?.length && !body.components?.length && !body.sticker_ids?.length && !body.attachments?.length;
}
