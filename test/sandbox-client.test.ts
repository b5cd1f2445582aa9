import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ActionRowBuilder, Client, DiscordAPIError, ApplicationCommandOptionType, ButtonBuilder, ButtonStyle, EmbedBuilder, InteractionResponseType, MessageFlags,
  PermissionFlagsBits, RESTJSONErrorCodes, type Interaction,
} from 'discord.js';
import { openApiSkip } from './helpers/openapi.js';
import { recordedBodyProblems } from './helpers/sandboxOpenApi.js';
import { startSandboxSession, type SandboxSession } from './helpers/sandbox.js';
import { RefusedByClient } from '../src/sandbox/driver.js';

// The real discord.js client against the sandbox: a tiny bot written here answers a command, autocomplete,
// a button, a deferred command and a permission-gated one, as the real bot will.

const TOPICS = ['AI', 'Climate', 'Economy', 'Elections'];

function pager(page: number) {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(`page:${page - 1}`).setLabel('◀ Prev').setStyle(ButtonStyle.Secondary).setDisabled(page === 1),
    new ButtonBuilder().setCustomId(`page:${page + 1}`).setLabel('Next ▶').setStyle(ButtonStyle.Primary),
  );
}

async function tinyBot(interaction: Interaction): Promise<void> {
  if (interaction.isAutocomplete()) {
    const typed = interaction.options.getFocused().toLowerCase();
    await interaction.respond(TOPICS.filter((t) => t.toLowerCase().startsWith(typed)).map((t) => ({ name: t, value: t.toLowerCase() })));
  } else if (interaction.isChatInputCommand() && interaction.commandName === 'news') {
    if (interaction.options.getSubcommand() === 'search') {
      const topic = interaction.options.getString('topic', true);
      const embed = new EmbedBuilder().setTitle(`Results for ${topic}`).setDescription(`limit ${interaction.options.getInteger('limit') ?? 5}`);
      await interaction.reply({ embeds: [embed], components: [pager(1)], allowedMentions: { parse: [] } });
    } else {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.editReply({ content: `in channel ${interaction.channel?.id}` });
      await interaction.followUp({ content: 'one more thing', flags: MessageFlags.Ephemeral });
    }
  } else if (interaction.isChatInputCommand() && interaction.commandName === 'setup') {
    await interaction.reply({ content: `manage server: ${interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)}`, flags: MessageFlags.Ephemeral });
  } else if (interaction.isChatInputCommand() && interaction.commandName === 'slow') {
    // Answers after Discord's 3-second window: too late.
    await new Promise((resolve) => setTimeout(resolve, 3200));
    lateReply = await interaction.reply('finally').catch((error: unknown) => error);
  } else if (interaction.isButton()) {
    const page = Number(interaction.customId.split(':')[1]);
    await interaction.update({ embeds: [new EmbedBuilder().setTitle(`Page ${page}`)], components: [pager(page)] });
  }
}

let session: SandboxSession;
let lateReply: unknown;

before(async () => {
  session = await startSandboxSession(tinyBot);
  await session.client.application.commands.set([
    {
      name: 'news', description: 'Search the news',
      options: [
        {
          type: ApplicationCommandOptionType.Subcommand, name: 'search', description: 'Search',
          options: [
            { type: ApplicationCommandOptionType.String, name: 'topic', description: 'Topic', required: true, autocomplete: true },
            { type: ApplicationCommandOptionType.Integer, name: 'limit', description: 'How many' },
          ],
        },
        { type: ApplicationCommandOptionType.Subcommand, name: 'where', description: 'Where am I' },
      ],
    },
  ]);
  await session.client.guilds.cache.get(session.sandbox.guild.id)!.commands.set([
    { name: 'setup', description: 'Set up digests', defaultMemberPermissions: PermissionFlagsBits.ManageGuild },
    { name: 'slow', description: 'Takes its time' },
  ]);
});

after(() => session.close());

test('the client logs in and sees the sandbox guild, its channels and its members', () => {
  const { client, sandbox } = session;
  const guild = client.guilds.cache.get(sandbox.guild.id);
  assert.equal(guild?.name, sandbox.guild.name);
  assert.ok(client.channels.cache.has(sandbox.channels.news));
  const locked = guild!.channels.cache.get(sandbox.channels.locked)!;
  assert.equal(locked.permissionsFor(client.user)?.has(PermissionFlagsBits.SendMessages), false, 'the locked channel forbids the bot to send');
  assert.equal(guild!.channels.cache.get(sandbox.channels.news)!.permissionsFor(client.user)?.has(PermissionFlagsBits.SendMessages), true);
});

test('channels created and deleted in the sandbox appear in and vanish from the client\'s cache', async () => {
  const { client, sandbox } = session;
  const id = sandbox.createChannel('pop-up');
  await waitFor(() => client.channels.cache.has(id));
  sandbox.deleteChannel(id);
  await waitFor(() => !client.channels.cache.has(id));
});

test('a slash command with a subcommand and typed options reaches the handler and its reply is recorded', async () => {
  const reply = await session.sandbox.driver.command('news', { subcommand: 'search', options: { topic: 'AI', limit: 3 } });
  assert.equal(reply.type, InteractionResponseType.ChannelMessageWithSource);
  const body = reply.body as { embeds: { title: string; description: string }[]; components: unknown[] };
  assert.equal(body.embeds[0]!.title, 'Results for AI');
  assert.equal(body.embeds[0]!.description, 'limit 3');
  assert.equal(reply.ephemeral, false);
});

test('autocomplete returns the choices the bot offers for what was typed', async () => {
  const result = await session.sandbox.driver.autocomplete('news', { name: 'topic', value: 'e' }, { subcommand: 'search' });
  assert.deepEqual(result.choices, [{ name: 'Economy', value: 'economy' }, { name: 'Elections', value: 'elections' }]);
});

test('clicking a button updates the message it is on, and the next click sees the new buttons', async () => {
  const { driver } = session.sandbox;
  const reply = await driver.command('news', { subcommand: 'search', options: { topic: 'AI' } });
  const second = await driver.click(reply, 'page:2');
  assert.equal(second.type, InteractionResponseType.UpdateMessage);
  assert.equal(second.id, reply.id, 'an update edits the clicked message');
  assert.equal((driver.message(reply.id)!.embeds as { title: string }[])[0]!.title, 'Page 2');
  const third = await driver.click(reply, 'page:3');
  assert.equal(((third.body as { embeds: { title: string }[] }).embeds[0]!).title, 'Page 3');
  await assert.rejects(driver.click(reply, 'page:9'), RefusedByClient, 'a button that is not on the message cannot be clicked');
});

test('a deferred ephemeral reply resolves with its edit, and follow-ups are recorded', async () => {
  const reply = await session.sandbox.driver.command('news', { subcommand: 'where', channelId: session.sandbox.channels.general });
  assert.equal(reply.type, InteractionResponseType.DeferredChannelMessageWithSource);
  assert.equal(reply.ephemeral, true);
  assert.deepEqual(reply.edits, [{ content: `in channel ${session.sandbox.channels.general}` }]);
  await waitFor(() => reply.followUps.length === 1);
  assert.equal((reply.followUps[0] as { content: string }).content, 'one more thing');
});

test('a command needing Manage Server runs for the admin and is hidden from a plain member, as Discord does', async () => {
  const { driver, members } = session.sandbox;
  const reply = await driver.command('setup', { as: members.admin });
  assert.equal((reply.body as { content: string }).content, 'manage server: true');
  await assert.rejects(driver.command('setup', { as: members.member }), /may not use \/setup/);
});

test('the driver refuses what a Discord client would not send', async () => {
  const { driver } = session.sandbox;
  await assert.rejects(driver.command('news', { subcommand: 'search' }), /needs topic/);
  await assert.rejects(driver.command('news', { subcommand: 'search', options: { topic: 'AI', limit: 'many' } }), /must be a number/);
  await assert.rejects(driver.command('weather'), /not registered/);
  await assert.rejects(driver.autocomplete('news', { name: 'limit', value: '1' }, { subcommand: 'search' }), /does not autocomplete/);
});

test('a command not answered within 3 s fails like "The application did not respond", and the late reply is refused', async () => {
  await assert.rejects(session.sandbox.driver.command('slow'), /did not answer within 3000 ms/);
  await waitFor(() => lateReply !== undefined);
  assert.ok(lateReply instanceof DiscordAPIError);
  assert.equal(lateReply.code, RESTJSONErrorCodes.UnknownInteraction);
});

test('a wrong token cannot log in', async () => {
  const stranger = new Client({ intents: [], rest: { api: session.sandbox.apiUrl } });
  await assert.rejects(stranger.login('MTIz.not.the-token'), /invalid token/i);
  await stranger.destroy();
});

test('nothing the client did hit a route the sandbox does not know', () => {
  assert.equal(session.sandbox.unknownRoutes, 0);
});

/** Polls a condition the bot will make true shortly (bounded, so a broken bot fails instead of hanging). */
async function waitFor(condition: () => boolean, limitMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('every body the client sent matches Discord\'s OpenAPI description', { skip: openApiSkip }, () => {
  assert.deepEqual(recordedBodyProblems(session.sandbox.requests), []);
});
