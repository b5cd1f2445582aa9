// Autocomplete: answered from memory at every keystroke. Whatever the command returns is bounded to Discord's
// limits here (a choice Discord would refuse makes it drop the whole answer), and odd input never throws.
import type { ApplicationCommandOptionChoiceData, AutocompleteInteraction } from 'discord.js';
import { AUTOCOMPLETE_CHOICE_NAME_MAX, AUTOCOMPLETE_CHOICE_VALUE_MAX, AUTOCOMPLETE_CHOICES_MAX } from '../../discord/limits.js';
import { cleanText, truncate } from '../../util/text.js';
import type { SlashCommand } from '../commands/types.js';
import type { BotContext } from '../context.js';

/**
 * At most AUTOCOMPLETE_CHOICES_MAX choices with names shortened to fit. A value too long is left out rather than
 * cut: a cut value would name something that does not exist.
 */
export function boundChoices(choices: readonly ApplicationCommandOptionChoiceData[]): ApplicationCommandOptionChoiceData[] {
  return choices
    .filter((c) => typeof c.value !== 'string' || (c.value.length >= 1 && c.value.length <= AUTOCOMPLETE_CHOICE_VALUE_MAX))
    .map((c) => ({ name: truncate(cleanText(c.name), AUTOCOMPLETE_CHOICE_NAME_MAX) || String(c.value).slice(0, AUTOCOMPLETE_CHOICE_NAME_MAX), value: c.value }))
    .filter((c) => c.name.length >= 1)
    .slice(0, AUTOCOMPLETE_CHOICES_MAX);
}

export async function handleAutocomplete(interaction: AutocompleteInteraction, commands: ReadonlyMap<string, SlashCommand>, context: BotContext): Promise<void> {
  const where = { command: interaction.commandName, interactionId: interaction.id, guildId: interaction.guildId, userId: interaction.user.id };
  let choices: ApplicationCommandOptionChoiceData[] = [];
  try {
    choices = boundChoices((await commands.get(interaction.commandName)?.autocomplete?.(interaction, context)) ?? []);
  } catch (error) {
    context.logger.error({ event: 'autocomplete.failed', ...where, err: error }, 'autocomplete failed');
  }
  try {
    await interaction.respond(choices);
  } catch (error) {
    // Usually the member typed on and Discord already dropped this request: nothing to do.
    context.logger.warn({ event: 'autocomplete.reply_failed', ...where, err: error }, 'could not answer autocomplete');
  }
}
