import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import {
  ActionRowBuilder, ApplicationCommandOptionType, ApplicationCommandType, ButtonBuilder, ButtonStyle, ComponentType, EmbedBuilder, MessageFlags,
  type ChatInputApplicationCommandData, type Interaction, type TextChannel,
} from 'discord.js';
import { escapeText } from '../src/util/text.js';
import { parseCommandLine } from '../src/sandbox/prompt.js';
import { renderMessage } from '../src/sandbox/render.js';
import { startPrompt } from '../src/sandbox/prompt.js';
import { startSandboxSession } from './helpers/sandbox.js';

const NEWS = {
  name: 'news', type: ApplicationCommandType.ChatInput, description: 'News',
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand, name: 'search', description: 'Search',
      options: [{ type: ApplicationCommandOptionType.String, name: 'topic', description: 't' }, { type: ApplicationCommandOptionType.String, name: 'query', description: 'q' }],
    },
    {
      type: ApplicationCommandOptionType.SubcommandGroup, name: 'admin', description: 'Admin',
      options: [{ type: ApplicationCommandOptionType.Subcommand, name: 'reload', description: 'Reload' }],
    },
  ],
} satisfies ChatInputApplicationCommandData;

test('a typed line becomes the command, its group or subcommand, and its options, quotes included', () => {
  assert.deepEqual(parseCommandLine('/news search topic:AI query:"climate deal"', [NEWS]), {
    name: 'news', invoke: { subcommand: 'search', options: { topic: 'AI', query: 'climate deal' } },
  });
  assert.deepEqual(parseCommandLine("/news admin reload", [NEWS]), { name: 'news', invoke: { group: 'admin', subcommand: 'reload', options: {} } });
  assert.match((parseCommandLine('/news', [NEWS]) as { error: string }).error, /needs one of: search, admin/);
  assert.match((parseCommandLine('/weather', [NEWS]) as { error: string }).error, /unknown command \/weather; try: \/news/);
  assert.match((parseCommandLine('/news find', [NEWS]) as { error: string }).error, /no "find"/);
});

test('a message renders as readable text: markdown escapes undone, embed parts and buttons listed', () => {
  const text = renderMessage({
    content: 'Your digest',
    embeds: [{ title: escapeText('C*O*2 [levels]'), url: 'https://example.com/a', description: 'Read [more](https://example.com/b)', fields: [{ name: 'Source', value: 'Reuters' }], footer: { text: 'Page 1/3' } }],
    components: [{ type: ComponentType.ActionRow, components: [
      { type: ComponentType.Button, style: ButtonStyle.Secondary, custom_id: 'page:0', label: 'Prev', disabled: true },
      { type: ComponentType.Button, style: ButtonStyle.Primary, custom_id: 'page:2', label: 'Next' },
      { type: ComponentType.Button, style: ButtonStyle.Link, url: 'https://example.com/a', label: 'Open' },
    ] }],
    flags: MessageFlags.Ephemeral,
  });
  assert.equal(text, [
    'Your digest',
    '  ┌',
    '  │ » C*O*2 [levels]',
    '  │   https://example.com/a',
    '  │ Read more (https://example.com/b)',
    '  │ • Source',
    '  │   Reuters',
    '  │ — Page 1/3',
    '  └',
    '  [Prev] (disabled)  [Next]  [Open ↗ https://example.com/a]',
    '  (only you can see this)',
  ].join('\n'));
});

async function pagingBot(interaction: Interaction): Promise<void> {
  const page = (n: number) => ({
    embeds: [new EmbedBuilder().setTitle(`Results page ${n}`)],
    components: [new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId(`p:${n - 1}`).setLabel('◀ Prev').setStyle(ButtonStyle.Secondary).setDisabled(n === 1),
      new ButtonBuilder().setCustomId(`p:${n + 1}`).setLabel('Next ▶').setStyle(ButtonStyle.Primary),
    )],
  });
  if (interaction.isChatInputCommand()) {
    await interaction.deferReply();
    await interaction.editReply({ content: `topic ${interaction.options.getString('topic')}, query ${interaction.options.getString('query')}`, ...page(1) });
  } else if (interaction.isButton()) {
    await interaction.update(page(Number(interaction.customId.slice(2))));
  }
}

test('the prompt runs a typed command through the gateway, prints the reply, pages with next/prev and shows channel posts', async () => {
  const session = await startSandboxSession(pagingBot);
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const printedSoon = async (pattern: RegExp) => {
    for (let waited = 0; !pattern.test(printed); waited += 10) {
      if (waited > 5000) assert.fail(`the prompt never printed ${pattern}; it printed:\n${printed}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const prompt = startPrompt(session.sandbox, { input, output });
  try {
    await session.client.application.commands.set([NEWS]);
    input.write('/news search topic:AI query:"climate deal"\n');
    await printedSoon(/topic AI, query climate deal\n {2}┌\n {2}│ » Results page 1/);
    assert.match(printed, /\[◀ Prev\] \(disabled\) {2}\[Next ▶\]/);
    input.write('next\n');
    await printedSoon(/Results page 2/);
    input.write('prev\n');
    await printedSoon(/Results page 2[\s\S]*Results page 1/);
    input.write('/nothing\n');
    await printedSoon(/! unknown command \/nothing; try: \/news/);
    await (session.client.channels.cache.get(session.sandbox.channels.general) as TextChannel).send('Morning digest is here');
    await printedSoon(/#general — Newsdesk posted:\nMorning digest is here/);
  } finally {
    prompt.close();
    await session.close();
  }
});
