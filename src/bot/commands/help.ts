// /help: what Newsdesk does and its commands, listed from the commands' own definitions so it never goes stale.
import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType } from 'discord.js';
import type { SlashCommand } from './types.js';
import { EMBED_COLOR } from '../replies.js';
import { EMBED_FIELD_VALUE_MAX } from '../../discord/limits.js';
import { truncate } from '../../util/text.js';
import { definition as digest } from './digest.js';
import { definition as news } from './news.js';

export const definition = {
  type: ApplicationCommandType.ChatInput,
  name: 'help',
  description: 'What Newsdesk does and how to use it',
  contexts: [InteractionContextType.Guild],
} satisfies SlashCommand['definition'];

/** One line per subcommand: its usage (required options bare, optional ones in brackets) and its description. */
function usage(command: SlashCommand['definition']): string {
  const lines = (command.options ?? []).map((sub) => {
    if (sub.type !== ApplicationCommandOptionType.Subcommand) return '';
    const options = (sub.options ?? []).map((o) => (o.required ? o.name : `[${o.name}]`)).join(' ');
    return `\`/${command.name} ${sub.name}${options ? ` ${options}` : ''}\` — ${sub.description}`;
  });
  return truncate(lines.filter(Boolean).join('\n'), EMBED_FIELD_VALUE_MAX);
}

export const command: SlashCommand = {
  definition,
  subcommands: {
    '': {
      run: () => ({
        embeds: [{
          title: 'Newsdesk',
          description: 'Newsdesk turns a folder of news articles into searchable news and a daily digest per channel, posted at the time you choose in your time zone. Search results are posted in the channel for everyone to read; add `private:true` to see them alone. Previews, settings and error messages are shown to you alone. Nothing Newsdesk posts pings anyone unless a digest was set up to mention a role.',
          color: EMBED_COLOR,
          fields: [
            { name: 'News', value: usage(news) },
            { name: 'Digests (Manage Server)', value: usage(digest) },
            { name: 'Help', value: '`/help` — this message' },
          ],
        }],
        ephemeral: true,
      }),
    },
  },
};
