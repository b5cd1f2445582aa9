// Every slash command and button handler of the bot, for the router and for `npm run deploy-commands`.
import { command as digest } from './digest/command.js';
import { command as help } from './help.js';
import { command as news, pageButtons } from './news.js';
import type { ButtonHandler, SlashCommand } from './types.js';

export const COMMANDS: ReadonlyMap<string, SlashCommand> = new Map([news, digest, help].map((c) => [c.definition.name, c]));

export const BUTTONS: readonly ButtonHandler[] = [pageButtons];

/** The bodies to register with Discord. */
export function commandDefinitions(): SlashCommand['definition'][] {
  return [...COMMANDS.values()].map((c) => c.definition);
}
