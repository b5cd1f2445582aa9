// Every slash command the README shows runs, as written, at the sandbox prompt of `npm start` and gets a real answer:
// a newcomer copies them word for word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationCommandOptionType } from 'discord.js';
import { commandDefinitions } from '../src/bot/commands/index.js';
import { answerProblem, runPrompt } from './helpers/promptProcess.js';
import { projectRoot } from './helpers/shared.js';

/**
 * The README's inline code that is a command to run: it starts with one of the bot's commands and is not a usage
 * line (`[option]`) or the bare name of a command that needs a subcommand (`/digest`, as in "/digest is hidden").
 * A span may wrap onto the next line, as Markdown allows.
 */
function readmeExamples(): string[] {
  const markdown = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const definitions = commandDefinitions();
  const examples = [...markdown.matchAll(/`([^`]+)`/g)]
    .map((m) => m[1]!.replace(/\s+/g, ' ').trim())
    .filter((span) => {
      const name = /^\/(\S+)/.exec(span)?.[1];
      const definition = definitions.find((d) => d.name === name);
      if (!definition || span.includes('[')) return false;
      const needsSubcommand = (definition.options ?? []).some((o) => o.type === ApplicationCommandOptionType.Subcommand || o.type === ApplicationCommandOptionType.SubcommandGroup);
      return !(needsSubcommand && span === `/${name}`);
    });
  return [...new Set(examples)];
}

test('every slash command in the README runs as written at the sandbox prompt and gets a real answer', async () => {
  const examples = readmeExamples();
  // The ones a newcomer meets first: if the README's wording changes, the test must still find them.
  for (const expected of ['/news search topic:AI', '/digest status', '/help', '/digest setup channel:#news time:08:00 timezone:Europe/Paris', '/news topics']) {
    assert.ok(examples.includes(expected), `the README's example ${expected} is among those read: ${examples.join(' | ')}`);
  }
  const run = await runPrompt(examples);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '', 'nothing logged at warn or above');
  assert.deepEqual(run.answers.map((a) => a.command), examples, run.stdout);
  const problems = run.answers.map((a) => [a.command, answerProblem(a.answer)]).filter(([, problem]) => problem);
  assert.deepEqual(problems, [], run.stdout);
});
