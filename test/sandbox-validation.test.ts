import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ApplicationCommandOptionType, ButtonStyle, ComponentType, DiscordAPIError, InteractionResponseType, RESTJSONErrorCodes, Routes, type Interaction,
} from 'discord.js';
import {
  BUTTON_LABEL_MAX, CUSTOM_ID_MAX, EMBED_AUTHOR_NAME_MAX, EMBED_DESCRIPTION_MAX, EMBED_FIELD_NAME_MAX, EMBED_FIELD_VALUE_MAX,
  EMBED_FIELDS_MAX, EMBED_FOOTER_TEXT_MAX, EMBED_TITLE_MAX, EMBED_URL_MAX, MESSAGE_CONTENT_MAX, MESSAGE_EMBEDS_MAX, NONCE_MAX,
} from '../src/discord/limits.js';
import { messageCreateSchema } from '../src/sandbox/validation.js';
import { openApiProblems, openApiSkip } from './helpers/openapi.js';
import { errorsAt, rawCall, startSandboxSession, type SandboxSession } from './helpers/sandbox.js';

// The sandbox refuses what Discord refuses, with Discord's status, code and error paths, and records nothing then.

let autocompleteError: unknown;
let reportSecondAck: (outcome: unknown) => void = () => undefined;
const secondAck = new Promise<unknown>((resolve) => (reportSecondAck = resolve));

async function strictBot(interaction: Interaction): Promise<void> {
  if (interaction.isAutocomplete()) {
    const tooMany = Array.from({ length: 26 }, (_, i) => ({ name: `choice ${i}`, value: `c${i}` }));
    autocompleteError = await interaction.respond(tooMany).catch((error: unknown) => error);
    await interaction.respond(tooMany.slice(0, 25));
  } else if (interaction.isChatInputCommand()) {
    await interaction.reply('first');
    // Straight to the API: discord.js would refuse a second reply itself before asking Discord.
    const outcome = await interaction.client.rest
      .post(Routes.interactionCallback(interaction.id, interaction.token), { body: { type: InteractionResponseType.ChannelMessageWithSource, data: { content: 'second' } }, auth: false })
      .catch((error: unknown) => error);
    reportSecondAck(outcome);
  }
}

let session: SandboxSession;
before(async () => {
  // Raw fetch does not queue like discord.js, so this file lifts the rate limits it is not about.
  const roomy = { limit: 10_000, windowMs: 1000 };
  session = await startSandboxSession(strictBot, { rateLimits: { channelMessages: roomy, global: roomy } });
});
after(() => session.close());

/** A raw request, to see exactly what Discord's API would answer. */
const call = (method: string, path: string, body?: unknown, token?: string | null) => rawCall(session.sandbox, method, path, body, token);

const post = (channelId: string, body: unknown) => call('POST', `/channels/${channelId}/messages`, body);
const long = (n: number) => 'x'.repeat(n);
const button = (custom_id: string, label = 'Go') => ({ type: ComponentType.Button, style: ButtonStyle.Primary, custom_id, label });

const INVALID: [what: string, body: unknown, path: (string | number)[], code: string][] = [
  ['content over 2000', { content: long(MESSAGE_CONTENT_MAX + 1) }, ['content'], 'BASE_TYPE_MAX_LENGTH'],
  ['11 embeds', { embeds: Array.from({ length: MESSAGE_EMBEDS_MAX + 1 }, () => ({ title: 't' })) }, ['embeds'], 'BASE_TYPE_MAX_LENGTH'],
  ['embed title over 256', { embeds: [{ title: long(EMBED_TITLE_MAX + 1) }] }, ['embeds', 0, 'title'], 'BASE_TYPE_MAX_LENGTH'],
  ['description over 4096', { embeds: [{ description: long(EMBED_DESCRIPTION_MAX + 1) }] }, ['embeds', 0, 'description'], 'BASE_TYPE_MAX_LENGTH'],
  ['26 fields', { embeds: [{ fields: Array.from({ length: EMBED_FIELDS_MAX + 1 }, () => ({ name: 'n', value: 'v' })) }] }, ['embeds', 0, 'fields'], 'BASE_TYPE_MAX_LENGTH'],
  ['field name over 256', { embeds: [{ fields: [{ name: long(EMBED_FIELD_NAME_MAX + 1), value: 'v' }] }] }, ['embeds', 0, 'fields', 0, 'name'], 'BASE_TYPE_MAX_LENGTH'],
  ['field value over 1024', { embeds: [{ fields: [{ name: 'n', value: long(EMBED_FIELD_VALUE_MAX + 1) }] }] }, ['embeds', 0, 'fields', 0, 'value'], 'BASE_TYPE_MAX_LENGTH'],
  ['field without a value', { embeds: [{ fields: [{ name: 'n' }] }] }, ['embeds', 0, 'fields', 0, 'value'], 'BASE_TYPE_REQUIRED'],
  ['footer over 2048', { embeds: [{ footer: { text: long(EMBED_FOOTER_TEXT_MAX + 1) } }] }, ['embeds', 0, 'footer', 'text'], 'BASE_TYPE_MAX_LENGTH'],
  ['author name over 256', { embeds: [{ author: { name: long(EMBED_AUTHOR_NAME_MAX + 1) } }] }, ['embeds', 0, 'author', 'name'], 'BASE_TYPE_MAX_LENGTH'],
  ['6001 embed characters in one message', { embeds: [{ description: long(3000) }, { description: long(3001) }] }, ['embeds'], 'MAX_EMBED_SIZE_EXCEEDED'],
  ['a javascript: link', { embeds: [{ title: 't', url: 'javascript:alert(1)' }] }, ['embeds', 0, 'url'], 'URL_TYPE_INVALID_SCHEME'],
  ['a malformed thumbnail url', { embeds: [{ thumbnail: { url: 'not a url' } }] }, ['embeds', 0, 'thumbnail', 'url'], 'URL_TYPE_INVALID_URL'],
  ['an embed url over 2,048 characters', { embeds: [{ title: 't', url: `https://example.com/${'x'.repeat(EMBED_URL_MAX)}` }] }, ['embeds', 0, 'url'], 'BASE_TYPE_MAX_LENGTH'],
  ['button label over 80', { components: [{ type: ComponentType.ActionRow, components: [button('a', long(BUTTON_LABEL_MAX + 1))] }] }, ['components', 0, 'components', 0, 'label'], 'BASE_TYPE_MAX_LENGTH'],
  ['custom_id over 100', { components: [{ type: ComponentType.ActionRow, components: [button(long(CUSTOM_ID_MAX + 1))] }] }, ['components', 0, 'components', 0, 'custom_id'], 'BASE_TYPE_MAX_LENGTH'],
  ['6 buttons in a row', { components: [{ type: ComponentType.ActionRow, components: ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => button(id)) }] }, ['components', 0, 'components'], 'BASE_TYPE_MAX_LENGTH'],
  ['two buttons with one custom_id', { components: [{ type: ComponentType.ActionRow, components: [button('same'), button('same')] }] }, ['components', 0, 'components', 1, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED'],
  ['a link button with a custom_id', { components: [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Link, label: 'Read', url: 'https://example.com', custom_id: 'x' }] }] }, ['components', 0, 'components', 0, 'custom_id'], 'BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED'],
  ['nonce over 25', { content: 'hi', nonce: long(NONCE_MAX + 1) }, ['nonce'], 'BASE_TYPE_MAX_LENGTH'],
];

for (const [what, body, path, code] of INVALID) {
  test(`a message with ${what} is refused with 400 Invalid Form Body at ${path.join('.')}`, async () => {
    const before = session.sandbox.messages(session.sandbox.channels.news).length;
    const { status, json, headers } = await post(session.sandbox.channels.news, body);
    assert.equal(status, 400);
    assert.equal(headers.get('content-type'), 'application/json');
    assert.equal(json?.code, RESTJSONErrorCodes.InvalidFormBodyOrContentType);
    assert.equal(json?.message, 'Invalid Form Body');
    assert.equal(errorsAt(json, path)?.[0]?.code, code, JSON.stringify(json?.errors));
    assert.equal(session.sandbox.messages(session.sandbox.channels.news).length, before, 'nothing was posted');
  });
}

test('discord.js surfaces the refusal as a DiscordAPIError with the field path', async () => {
  const channel = session.client.channels.cache.get(session.sandbox.channels.news);
  assert.ok(channel?.isSendable());
  const error = await channel.send({ embeds: [{ title: long(EMBED_TITLE_MAX + 1) }] }).catch((e: unknown) => e);
  assert.ok(error instanceof DiscordAPIError);
  assert.equal(error.code, RESTJSONErrorCodes.InvalidFormBodyOrContentType);
  assert.match(error.message, /embeds\[0\]\.title\[BASE_TYPE_MAX_LENGTH\]/);
});

test('a message at every limit exactly is accepted', async () => {
  const atLimits = {
    content: long(MESSAGE_CONTENT_MAX),
    embeds: [{ title: long(EMBED_TITLE_MAX), description: long(4000), footer: { text: long(100) }, author: { name: long(EMBED_AUTHOR_NAME_MAX) },
      fields: [{ name: long(EMBED_FIELD_NAME_MAX), value: long(EMBED_FIELD_VALUE_MAX) }], url: 'https://example.com/a' }],
    components: [{ type: ComponentType.ActionRow, components: ['a', 'b', 'c', 'd', long(CUSTOM_ID_MAX)].map((id) => button(id, long(BUTTON_LABEL_MAX))) }],
    nonce: long(NONCE_MAX),
  };
  const { status, json } = await post(session.sandbox.channels.news, atLimits);
  assert.equal(status, 200, JSON.stringify(json));
  assert.match(String(json?.id), /^\d{17,19}$/);
});

test('an empty message is refused with 50006, as Discord does', async () => {
  const { status, json } = await post(session.sandbox.channels.news, { content: '', embeds: [] });
  assert.equal(status, 400);
  assert.deepEqual(json, { message: 'Cannot send an empty message', code: RESTJSONErrorCodes.CannotSendAnEmptyMessage });
});

test('posting where the bot may not send is 403 Missing Permissions; a deleted channel is 404 Unknown Channel', async () => {
  const locked = await post(session.sandbox.channels.locked, { content: 'hi' });
  assert.equal(locked.status, 403);
  assert.deepEqual(locked.json, { message: 'Missing Permissions', code: RESTJSONErrorCodes.MissingPermissions });
  assert.equal(session.sandbox.messages(session.sandbox.channels.locked).length, 0);
  const doomed = session.sandbox.createChannel('doomed');
  assert.equal((await post(doomed, { content: 'still here' })).status, 200);
  session.sandbox.deleteChannel(doomed);
  const gone = await post(doomed, { content: 'hi' });
  assert.equal(gone.status, 404);
  assert.deepEqual(gone.json, { message: 'Unknown Channel', code: RESTJSONErrorCodes.UnknownChannel });
});

test('with enforce_nonce a resend returns the first message instead of a duplicate; without it both are posted', async () => {
  const channel = session.sandbox.createChannel('nonces');
  const first = await post(channel, { content: 'digest', nonce: 'digest-2026-11-26', enforce_nonce: true });
  const again = await post(channel, { content: 'digest', nonce: 'digest-2026-11-26', enforce_nonce: true });
  assert.equal(again.status, 200);
  assert.equal(again.json?.id, first.json?.id);
  assert.equal(again.json?.nonce, 'digest-2026-11-26');
  assert.equal(session.sandbox.messages(channel).length, 1);
  await post(channel, { content: 'loose', nonce: 'n1' });
  await post(channel, { content: 'loose', nonce: 'n1' });
  assert.equal(session.sandbox.messages(channel).length, 3);
});

test('a wrong or missing token is 401, an unknown route 404 and counted, bad JSON 400 50109', async () => {
  const channel = session.sandbox.channels.news;
  const before = session.sandbox.messages(channel).length;
  assert.deepEqual((await call('POST', `/channels/${channel}/messages`, { content: 'x' }, 'not-the-token')).json, { message: '401: Unauthorized', code: RESTJSONErrorCodes.GeneralError });
  assert.equal((await call('GET', '/users/@me', undefined, null)).status, 401);
  assert.equal(session.sandbox.messages(channel).length, before);
  const unknownBefore = session.sandbox.unknownRoutes;
  const unknown = await call('GET', '/guilds/1/audit-logs');
  assert.deepEqual([unknown.status, unknown.json], [404, { message: '404: Not Found', code: RESTJSONErrorCodes.GeneralError }]);
  assert.equal((await call('PUT', `/channels/${channel}/messages`, { content: 'x' })).status, 405);
  assert.equal(session.sandbox.unknownRoutes, unknownBefore + 2);
  const badJson = await post(channel, '{"content": ');
  assert.deepEqual([badJson.status, badJson.json?.code], [400, RESTJSONErrorCodes.RequestBodyContainsInvalidJSON]);
});

test('command registration is checked: names, descriptions and choices', async () => {
  const path = `/applications/${session.sandbox.applicationId}/commands`;
  const { status, json } = await call('PUT', path, [
    { name: 'News Search', description: 'ok' },
    { name: 'ok', description: long(101) },
    { name: 'many', description: 'd', options: [{ type: ApplicationCommandOptionType.String, name: 'pick', description: 'd', choices: Array.from({ length: 26 }, (_, i) => ({ name: `c${i}`, value: `c${i}` })) }] },
  ]);
  assert.equal(status, 400);
  assert.ok(errorsAt(json, [0, 'name']), 'an upper-case name with a space is refused');
  assert.equal(errorsAt(json, [1, 'description'])?.[0]?.code, 'BASE_TYPE_MAX_LENGTH');
  assert.equal(errorsAt(json, [2, 'options', 0, 'choices'])?.[0]?.code, 'BASE_TYPE_MAX_LENGTH');
  assert.deepEqual(session.sandbox.registeredCommands(), [], 'nothing was registered');
});

test('26 autocomplete choices are refused at data.choices, and a second reply to one interaction is 40060', async () => {
  const path = `/applications/${session.sandbox.applicationId}/guilds/${session.sandbox.guild.id}/commands`;
  const registered = await call('PUT', path, [{ name: 'pick', description: 'Pick', options: [{ type: ApplicationCommandOptionType.String, name: 'what', description: 'What', autocomplete: true }] }]);
  assert.equal(registered.status, 200);
  const { choices } = await session.sandbox.driver.autocomplete('pick', { name: 'what', value: '' });
  assert.equal(choices.length, 25);
  assert.ok(autocompleteError instanceof DiscordAPIError);
  assert.equal(autocompleteError.code, RESTJSONErrorCodes.InvalidFormBodyOrContentType);
  assert.match(autocompleteError.message, /data\.choices\[BASE_TYPE_MAX_LENGTH\]/);
  const reply = await session.sandbox.driver.command('pick');
  assert.equal((reply.body as { content: string }).content, 'first');
  const second = await secondAck;
  assert.ok(second instanceof DiscordAPIError);
  assert.equal(second.code, RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged);
});

test('the sandbox refuses past each documented limit, and whatever it accepts Discord\'s OpenAPI accepts too', { skip: openApiSkip }, () => {
  const limits: [string, number, (n: number) => unknown][] = [
    ['title', EMBED_TITLE_MAX, (n) => ({ embeds: [{ title: long(n) }] })],
    ['description', EMBED_DESCRIPTION_MAX, (n) => ({ embeds: [{ description: long(n) }] })],
    ['field name', EMBED_FIELD_NAME_MAX, (n) => ({ embeds: [{ fields: [{ name: long(n), value: 'v' }] }] })],
    ['field value', EMBED_FIELD_VALUE_MAX, (n) => ({ embeds: [{ fields: [{ name: 'n', value: long(n) }] }] })],
    ['footer', EMBED_FOOTER_TEXT_MAX, (n) => ({ embeds: [{ footer: { text: long(n) } }] })],
    ['author', EMBED_AUTHOR_NAME_MAX, (n) => ({ embeds: [{ author: { name: long(n) } }] })],
    ['content', MESSAGE_CONTENT_MAX, (n) => ({ content: long(n) })],
    ['nonce', NONCE_MAX, (n) => ({ content: 'x', nonce: long(n) })],
  ];
  fc.assert(
    fc.property(fc.constantFrom(...limits), fc.integer({ min: -3, max: 3 }), ([, max, build], delta) => {
      const body = build(max + delta);
      const accepted = messageCreateSchema.safeParse(body).success;
      assert.equal(accepted, delta <= 0);
      // The OpenAPI description is looser in places (content up to 4000 for Nitro users), never stricter.
      if (accepted) assert.deepEqual(openApiProblems('MessageCreateRequest', body), []);
    }),
  );
});
