import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import {
  ActionRowBuilder, ApplicationCommandOptionType, ApplicationCommandType, ButtonBuilder, ButtonStyle, ComponentType, EmbedBuilder, MessageFlags,
  type ChatInputApplicationCommandData, type Interaction, type TextChannel,
} from 'discord.js';
import { escapeText } from '../src/util/text.js';
import { parseCommandLine } from '../src/sandbox/commandLine.js';
import { renderMessage } from '../src/sandbox/render.js';
import { startPrompt } from '../src/sandbox/prompt.js';
import { shown } from './helpers/replies.js';
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

test('a value runs to the next name: as in Discord’s client, quoted values may hold one, and a wrong name is named with the right ones', () => {
  const options = (line: string) => (parseCommandLine(line, [NEWS]) as { invoke: { options: unknown } }).invoke.options;
  const error = (line: string) => (parseCommandLine(line, [NEWS]) as { error: string }).error;
  assert.deepEqual(options('/news search query:flood barrier topic:Climate'), { query: 'flood barrier', topic: 'Climate' });
  assert.deepEqual(options('/news search query:"flood topic:barrier" topic:Climate'), { query: 'flood topic:barrier', topic: 'Climate' });
  assert.deepEqual(options('/news search query:see http://example.com/a and news: more'), { query: 'see http://example.com/a and news: more' });
  assert.equal(error('/news search qurey:flood'), '/news search has no option "qurey"; its options: topic, query');
  assert.match(error('/news search query:flood topc:Climate'), /has no option "topc"; its options: topic, query; a value holding "topc:" goes in quotes/);
  assert.match(error('/news search flood'), /\/news search takes its options as name:value, not "flood"; its options: topic, query/);
  assert.match(error('/news admin reload force:yes'), /\/news admin reload has no option "force"; it has none/);
  assert.match(error('/news search query:a query:b'), /query: is given twice/);
  assert.match(error('/news search query: topic:AI'), /query: needs a value/);
});

test('mentions render as the names Discord’s client shows, when the prompt knows them', () => {
  const names = { '#': { 1: 'news' }, '@&': { 2: 'Editors' }, '@': { 3: 'reader' } } as Record<string, Record<string, string>>;
  const label = (kind: '#' | '@&' | '@', id: string) => (names[kind]![id] === undefined ? undefined : `${kind[0]}${names[kind]![id]}`);
  assert.equal(renderMessage({ content: 'Set up for <#1>, mentions <@&2>, by <@!3>; <#9> is gone' }, label), 'Set up for #news, mentions @Editors, by @reader; <#9> is gone');
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

/** The paging bot in a sandbox, and a terminal for its prompt: what is typed in, and everything printed so far. */
async function promptSession() {
  const session = await startSandboxSession(pagingBot);
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  return { session, input, output, printed: () => printed };
}

test('the prompt runs a typed command through the gateway, prints the reply, pages with next/prev and shows channel posts', async () => {
  const { session, input, output, printed: screen } = await promptSession();
  const printedSoon = async (pattern: RegExp) => {
    for (let waited = 0; !pattern.test(screen()); waited += 10) {
      if (waited > 5000) assert.fail(`the prompt never printed ${pattern}; it printed:\n${screen()}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const prompt = startPrompt(session.sandbox, { input, output });
  try {
    await session.client.application.commands.set([NEWS]);
    input.write('/news search topic:AI query:"climate deal"\n');
    await printedSoon(/topic AI, query climate deal\n {2}┌\n {2}│ » Results page 1/);
    assert.match(screen(), /\[◀ Prev\] \(disabled\) {2}\[Next ▶\]/);
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

test('the end of the input ends the prompt once every command read is answered; prev on the first page says so', async () => {
  const { session, input, output, printed } = await promptSession();
  try {
    await session.client.application.commands.set([NEWS]);
    let printedAtExit = '';
    const exited = new Promise<void>((resolve) => startPrompt(session.sandbox, { input, output }, { onExit: () => resolve(void (printedAtExit = printed())) }));
    input.end('/news search topic:AI\nprev\n');
    await exited;
    assert.match(printedAtExit, /newsdesk> \/news search topic:AI\ntopic AI, query null\n[\s\S]*Results page 1[\s\S]*newsdesk> prev\n! this is the first page \("◀ Prev" is greyed out\)\n$/);
  } finally {
    await session.close();
  }
});

const PICK = {
  name: 'pick', type: ApplicationCommandType.ChatInput, description: 'Pick',
  options: [
    { type: ApplicationCommandOptionType.Channel, name: 'where', description: 'w' },
    { type: ApplicationCommandOptionType.Role, name: 'who', description: 'r' },
    { type: ApplicationCommandOptionType.User, name: 'member', description: 'm' },
  ],
} satisfies ChatInputApplicationCommandData;

test('a channel, role or member option takes #name or @name, as Discord’s picker does, and an unknown name lists the ones there are', async () => {
  const session = await startSandboxSession(async (interaction) => {
    if (!interaction.isChatInputCommand()) return;
    await interaction.reply(['where', 'who', 'member'].map((o) => `${o}=${interaction.options.get(o)?.value ?? '-'}`).join(' '));
  });
  const { sandbox } = session;
  const pick = async (options: Record<string, string>) => shown(await sandbox.driver.command('pick', { options })).content;
  try {
    await session.client.application.commands.set([PICK]);
    const editors = session.client.guilds.cache.get(sandbox.guild.id)!.roles.cache.find((r) => r.name === 'Editors')!.id;
    assert.equal(await pick({ where: '#general', who: '@Editors', member: '@reader' }), `where=${sandbox.channels.general} who=${editors} member=${sandbox.members.member.id}`);
    assert.equal(await pick({ where: 'News', who: '@everyone' }), `where=${sandbox.channels.news} who=${sandbox.guild.id} member=-`);
    assert.equal(await pick({ where: `<#${sandbox.channels.locked}>`, who: `<@&${editors}>` }), `where=${sandbox.channels.locked} who=${editors} member=-`);
    await assert.rejects(pick({ where: '#sports' }), /where: Newsdesk Sandbox has no channel "#sports"; it has #news, #general, #announcements/);
    await assert.rejects(pick({ who: '@Admins' }), /who: Newsdesk Sandbox has no role "@Admins"; it has @Editors, @Newsdesk, @everyone/);
    await assert.rejects(pick({ member: '@nobody' }), /member: Newsdesk Sandbox has no member "@nobody"; it has @Newsdesk, @editor, @reader/);
  } finally {
    await session.close();
  }
});
