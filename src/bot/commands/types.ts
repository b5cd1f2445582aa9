// The shape of a slash command module in this folder: its definition (the JSON Discord registers) beside the
// handlers of its subcommands, each declaring what the router does before running it.
import type {
  ApplicationCommandOptionChoiceData,
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { BotContext } from '../context.js';
import type { Precondition } from '../preconditions.js';
import type { Reply } from '../replies.js';

export interface Subcommand {
  /** Checked in order before running; the first refusal is the member's (ephemeral) answer. */
  preconditions?: readonly Precondition[];
  /**
   * Acknowledged (ephemerally) before running, because the work may outlast Discord's 3 seconds: posting a digest,
   * choosing one over the whole library. The reply then fills in the deferred message.
   */
  defer?: boolean;
  run(interaction: ChatInputCommandInteraction, context: BotContext): Promise<Reply> | Reply;
}

export interface SlashCommand {
  definition: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** By subcommand name; a command without subcommands has one handler under ''. */
  subcommands: Readonly<Record<string, Subcommand>>;
  /** Answers from memory; the router bounds the choices to Discord's limits and turns a throw into no choices. */
  autocomplete?(interaction: AutocompleteInteraction, context: BotContext): Promise<ApplicationCommandOptionChoiceData[]> | ApplicationCommandOptionChoiceData[];
}

/** What a button click gets: the message it sits on updated, or a separate reply (e.g. "this is not yours"). */
export type ButtonAnswer = { update: Reply } | { reply: Reply };

export interface ButtonHandler {
  /** The custom_id prefix it owns (version included, so an older layout is recognised as ours but expired). */
  prefix: string;
  run(interaction: ButtonInteraction, context: BotContext): Promise<ButtonAnswer> | ButtonAnswer;
}
