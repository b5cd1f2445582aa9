// Discord checks an option's declared bounds before a command reaches the bot. Checking again here keeps the
// handlers safe from whatever does not (a stale registration after an upgrade, a Discord-compatible server).
import { ApplicationCommandOptionType } from 'discord.js';
import type { APIApplicationCommandOption, CommandInteractionOption, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

type Declared = APIApplicationCommandOption & { min_value?: number; max_value?: number; min_length?: number; max_length?: number };

const NESTING = new Set([ApplicationCommandOptionType.Subcommand, ApplicationCommandOptionType.SubcommandGroup]);

function problem(declared: Declared, value: CommandInteractionOption['value']): string | null {
  if (typeof value === 'number') {
    const { min_value: min, max_value: max } = declared;
    if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
      return `\`${declared.name}\` must be ${min !== undefined && max !== undefined ? `from ${min} to ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`}.`;
    }
  }
  if (typeof value === 'string' && declared.max_length !== undefined && value.length > declared.max_length) {
    return `\`${declared.name}\` can be at most ${declared.max_length} characters long.`;
  }
  return null;
}

/** The first option given outside the bounds its definition declares, as a sentence for the member; else null. */
export function optionBoundsProblem(
  definition: Pick<RESTPostAPIChatInputApplicationCommandsJSONBody, 'options'>,
  given: readonly CommandInteractionOption[],
): string | null {
  for (const option of given) {
    const declared = definition.options?.find((d) => d.name === option.name) as Declared | undefined;
    if (!declared) continue;
    const found = NESTING.has(option.type)
      ? optionBoundsProblem(declared as Pick<RESTPostAPIChatInputApplicationCommandsJSONBody, 'options'>, option.options ?? [])
      : problem(declared, option.value);
    if (found) return found;
  }
  return null;
}
