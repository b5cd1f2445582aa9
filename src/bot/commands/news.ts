// /news: search the library, the latest articles, and the most covered topics and outlets.
import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType } from 'discord.js';
import type { ApplicationCommandOptionChoiceData, AutocompleteInteraction, ChatInputCommandInteraction } from 'discord.js';
import { queryProblem } from '../../articles/query.js';
import { AUTOCOMPLETE_CHOICES_MAX } from '../../discord/limits.js';
import type { ButtonHandler, SlashCommand } from './types.js';
import type { BotContext } from '../context.js';
import { DAYS_MAX, PAGE_PREFIX, QUERY_MAX, decodePageState, nameToken } from '../customId.js';
import type { PageState, SearchMode } from '../customId.js';
import { EMBED_COLOR, notice } from '../replies.js';
import type { Reply } from '../replies.js';
import { resolveTokens, searchLibrary, searchPageReply } from '../searchPage.js';
import { displayText, plural } from '../../util/text.js';

const RANKING_SIZE = 15;

const topicOption = (description: string) =>
  ({ type: ApplicationCommandOptionType.String, name: 'topic', description, autocomplete: true, max_length: 100 }) as const;
// Results are posted for the channel to read, news being there to be shared; this shows them to the searcher alone.
const privateOption = { type: ApplicationCommandOptionType.Boolean, name: 'private', description: 'Show the results to you alone' } as const;

export const definition = {
  type: ApplicationCommandType.ChatInput,
  name: 'news',
  description: 'Search and browse the news library',
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'search',
      description: 'Find articles by words, topic, outlet or date',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'query', description: 'Words to look for', max_length: QUERY_MAX },
        topicOption('Only articles on this topic'),
        { type: ApplicationCommandOptionType.String, name: 'provider', description: 'Only articles from this outlet', autocomplete: true, max_length: 100 },
        { type: ApplicationCommandOptionType.Integer, name: 'days', description: 'Only articles of the last N days', min_value: 1, max_value: DAYS_MAX },
        privateOption,
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'latest', description: 'The newest articles', options: [topicOption('Only articles on this topic'), privateOption] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'topics', description: 'The most covered topics' },
    { type: ApplicationCommandOptionType.Subcommand, name: 'providers', description: 'The outlets with the most articles' },
  ],
} satisfies SlashCommand['definition'];

// ---- handlers

/** A search from its options: an unknown topic or outlet gets a clear answer instead of an empty result. */
async function search(interaction: ChatInputCommandInteraction, context: BotContext, mode: SearchMode): Promise<Reply> {
  const { library } = context;
  const typedTopic = interaction.options.getString('topic')?.trim() || undefined;
  const typedProvider = interaction.options.getString('provider')?.trim() || undefined;
  const topic = typedTopic === undefined ? undefined : library.findTopic(typedTopic);
  if (typedTopic !== undefined && !topic) {
    return notice(`There is no topic called “${displayText(typedTopic, 100)}”. Pick one of the suggestions, or see \`/news topics\`.`);
  }
  const provider = typedProvider === undefined ? undefined : library.findProvider(typedProvider);
  if (typedProvider !== undefined && !provider) {
    return notice(`There is no outlet called “${displayText(typedProvider, 100)}”. Pick one of the suggestions, or see \`/news providers\`.`);
  }
  const query = (interaction.options.getString('query') ?? '').trim().slice(0, QUERY_MAX);
  const problem = queryProblem(query);
  if (problem) return notice(problem);
  const state: PageState = {
    mode,
    userId: interaction.user.id,
    page: 0,
    days: interaction.options.getInteger('days') ?? 0,
    topicToken: topic ? nameToken(topic.name) : '',
    providerToken: provider ? nameToken(provider.domain) : '',
    query,
  };
  const now = context.clock.now();
  const resolved = { state, topic, provider };
  const { page, result } = await searchLibrary(library, resolved, now);
  const reply = searchPageReply(resolved, page, result, now);
  // Paging keeps it so: a button updates the message it sits on, ephemeral or not.
  return interaction.options.getBoolean('private') ? { ...reply, ephemeral: true } : reply;
}

function ranking(title: string, lines: string[], empty: string): Reply {
  if (lines.length === 0) return notice(empty);
  return { embeds: [{ title, description: lines.map((line, i) => `**${i + 1}.** ${line}`).join('\n'), color: EMBED_COLOR }] };
}

const count = (n: number) => plural(n, 'article', 'articles');

/** Previous/Next on a results page: only the member who searched may page; anyone else is told how to search. */
export const pageButtons: ButtonHandler = {
  prefix: PAGE_PREFIX,
  async run(interaction, context) {
    const state = decodePageState(interaction.customId);
    if (!state) return { reply: notice('This button no longer works. Run `/news search` again.') };
    if (state.userId !== interaction.user.id) {
      return { reply: notice('These results belong to someone else’s search. Run `/news search` to get your own.') };
    }
    const resolved = resolveTokens(context.library, state);
    if (resolved === 'missing') return { reply: notice('The topic or outlet of this search is no longer in the library. Run a new `/news search`.') };
    const now = context.clock.now();
    const { page, result } = await searchLibrary(context.library, resolved, now);
    const answer = searchPageReply(resolved, page, result, now);
    // Nothing left to show (the library changed): say so to the searcher and leave the old page as it was.
    return answer.ephemeral ? { reply: answer } : { update: answer };
  },
};

function autocomplete(interaction: AutocompleteInteraction, context: BotContext): ApplicationCommandOptionChoiceData[] {
  const focused = interaction.options.getFocused(true);
  const typed = String(focused.value);
  if (focused.name === 'topic') {
    return context.library.topics(typed, AUTOCOMPLETE_CHOICES_MAX).map((t) => ({ name: `${t.name} (${count(t.count)})`, value: t.name }));
  }
  if (focused.name === 'provider') {
    return context.library.providers(typed, AUTOCOMPLETE_CHOICES_MAX).map((p) => ({ name: `${p.name} — ${p.domain} (${count(p.count)})`, value: p.domain }));
  }
  return [];
}

export const command: SlashCommand = {
  definition,
  subcommands: {
    search: { run: (interaction, context) => search(interaction, context, 'search') },
    latest: { run: (interaction, context) => search(interaction, context, 'latest') },
    topics: {
      run: (_interaction, { library }) =>
        ranking('Most covered topics', library.topics('', RANKING_SIZE).map((t) => `${displayText(t.name, 100)} — ${count(t.count)}`), 'The library has no topics yet.'),
    },
    providers: {
      run: (_interaction, { library }) =>
        ranking('Outlets with the most articles', library.providers('', RANKING_SIZE).map((p) => `${displayText(p.name, 100)} (${displayText(p.domain, 100)}) — ${count(p.count)}`), 'The library has no articles yet.'),
    },
  },
  autocomplete,
};
