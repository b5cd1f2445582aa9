// /help: what Newsdesk does and its commands, listed from the commands' own definitions so it never goes stale.
import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType } from 'discord.js';
import type { SlashCommand } from './types.js';
import { EMBED_COLOR } from '../replies.js';
import { EMBED_FIELD_VALUE_MAX } from '../../discord/limits.js';
import { truncate } from '../../util/text.js';
import { definition as digest } from './digest/definition.js';
import { QUALITY_MAX, QUALITY_MIN } from '../../digest/settings.js';
import { DIGESTS_PER_SERVER_MAX } from '../../subscriptions/service.js';
import { DEFAULT_LIVE_EVERY_MINUTES, LIVE_BATCH_STORIES, LIVE_EVERY_MAX_MINUTES, LIVE_EVERY_MIN_MINUTES } from '../../schedule/liveBatch.js';
import { definition as news } from './news.js';

export const definition = {
  type: ApplicationCommandType.ChatInput,
  name: 'help',
  description: 'What Newsdesk does and how to use it',
  contexts: [InteractionContextType.Guild],
} satisfies SlashCommand['definition'];

// Past this many optional options a usage line says "[options…]": the settings are explained in a field of their own.
const OPTIONAL_SHOWN = 5;

/** One line per subcommand: its usage (required options bare, optional ones in brackets) and its description. */
function usage(command: SlashCommand['definition']): string {
  const lines = (command.options ?? []).map((sub) => {
    if (sub.type !== ApplicationCommandOptionType.Subcommand) return '';
    const given = sub.options ?? [];
    const required = given.filter((o) => o.required).map((o) => o.name);
    const optional = given.filter((o) => !o.required).map((o) => `[${o.name}]`);
    const options = [...required, ...(optional.length > OPTIONAL_SHOWN ? ['[options…]'] : optional)].join(' ');
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
          description: 'Newsdesk turns a folder of news articles into searchable news and digests in your channels, posted at the times you choose in your time zone. Search results are posted in the channel for everyone to read; add `private:true` to see them alone. Previews, settings and error messages are shown to you alone. Nothing Newsdesk posts pings anyone unless a digest was set up to mention a role.',
          color: EMBED_COLOR,
          fields: [
            { name: 'News', value: usage(news) },
            { name: 'Digests (Manage Server)', value: usage(digest) },
            {
              name: 'Digest settings',
              value: [
                `A server may hold ${DIGESTS_PER_SERVER_MAX} digests, several per channel (give each a \`name\`).`,
                '`days`: every day, weekdays, weekends, a day (weekly) or a list such as `mon, wed, fri`.',
                '`topics`, `providers`, `exclude_providers`: several, separated by commas, as `/news topics` and `/news providers` name them; `none` clears.',
                `\`min_quality\`: articles are scored ${QUALITY_MIN} to ${QUALITY_MAX}; half score 70 or more, one in ten 111 or more.`,
                '`window`: new since the previous digest (stories published up to two days before, eight for a weekly digest), or the last 24 hours or 7 days.',
                `\`/digest live\`: each new story within a minute, at most one post per \`every\` minutes (${LIVE_EVERY_MIN_MINUTES} to ${LIVE_EVERY_MAX_MINUTES}, default ${DEFAULT_LIVE_EVERY_MINUTES}) of up to ${LIVE_BATCH_STORIES} stories; one live digest per channel.`,
              ].join('\n'),
            },
            { name: 'Help', value: '`/help` — this message' },
          ],
        }],
        ephemeral: true,
      }),
    },
  },
};
