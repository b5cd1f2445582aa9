// The sandbox prompt as a newcomer meets it: `npm start` with no token on the sample content, commands typed as in
// Discord, here piped in as a script would, so each test reads the same transcript a person would see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { answerProblem, runPrompt, type PromptRun } from './helpers/promptProcess.js';
import { validArticle } from './helpers/reliability-content.js';

/** The answers in order, each checked to be a real one, with the run's exit and log checked too. */
function answered(run: PromptRun, commands: readonly string[]): string[] {
  assert.equal(run.code, 0, `exit status; stderr:\n${run.stderr}`);
  assert.equal(run.stderr, '', 'nothing logged at warn or above');
  assert.deepEqual(run.answers.map((a) => a.command), commands, `every command, in order:\n${run.stdout}`);
  return run.answers.map((a) => a.answer);
}

test('piped commands run in order, each answered before the next, and the end of the input exits with status 0', async () => {
  const run = await runPrompt(['/news topics', '/help']);
  const [topics, help] = answered(run, ['/news topics', '/help']);
  assert.equal(answerProblem(topics!), undefined, topics);
  assert.match(topics!, /Most covered topics/);
  assert.equal(answerProblem(help!), undefined, help);
  assert.match(help!, /Newsdesk turns a folder of news articles/);
  assert.doesNotMatch(run.stdout, /closed before the bot answered/);
});

test('a value runs to the next name: as in Discord, quotes work, and an unknown option names the options there are', async () => {
  const commands = ['/news search query:flood barrier topic:Climate', '/news search query:"flood barrier" days:3650', '/news search qurey:flood', '/news topics limit:5'];
  const [unquoted, quoted, misspelt, none] = answered(await runPrompt(commands), commands);
  assert.match(unquoted!, /News search: “flood barrier” · topic Climate/);
  assert.match(unquoted!, /Council approves coastal flood barrier/);
  assert.match(quoted!, /News search: “flood barrier” · last 3,650 days/);
  assert.match(misspelt!, /^! \/news search has no option "qurey"; its options: query, topic, provider, days/);
  assert.match(none!, /^! \/news topics has no option "limit"; it has none/);
});

test('channel:#name and mention_role:@name resolve in the sandbox server; an unknown name is refused with the ones there are', async () => {
  const commands = [
    '/digest setup channel:#general time:08:00 timezone:Europe/Paris mention_role:@Editors',
    '/digest status',
    '/digest setup channel:#sports time:08:00 timezone:UTC',
    '/digest setup channel:#general time:08:00 timezone:UTC mention_role:@Admins',
  ];
  const [setup, status, noChannel, noRole] = answered(await runPrompt(commands), commands);
  // Mentions show by name, as Discord's client shows them.
  assert.match(setup!, /^Digest \*\*general\*\* set up for #general\. Every day at 08:00 \(Europe\/Paris\)/);
  assert.match(setup!, /Mentions @Editors/);
  assert.match(status!, /• general\n.*#general · Every day at 08:00 \(Europe\/Paris\)/);
  assert.match(noChannel!, /^! .*no channel "#sports"; it has #news, #general, #announcements/);
  assert.match(noRole!, /^! .*no role "@Admins"; it has @Editors, @Newsdesk, @everyone/);
});

test('help at the prompt lists the commands and the sandbox server’s channels, roles and members, with how to name them', async () => {
  const [help] = answered(await runPrompt(['help']), ['help']);
  assert.match(help!, /\/news search query:… topic:…/);
  assert.match(help!, /channels +#news, #general, #announcements \(the bot may not post there\) +— as channel:#general/);
  assert.match(help!, /roles +@Editors, @Newsdesk, @everyone +— as mention_role:@Editors/);
  assert.match(help!, /members +.*@editor \(you, Editors\).*@reader/);
  assert.match(help!, /commands run in #news as @editor/);
});

test('/news search topic:AI (the banner’s example) has a second page; next at the last page and prev at the first say so', async () => {
  const commands = ['/news search topic:AI', 'prev', 'next', 'next'];
  const [first, atFirst, second, atLast] = answered(await runPrompt(commands), commands);
  assert.match(first!, /Page 1 of 2 · 7 articles/);
  assert.match(atFirst!, /^! this is the first page \("◀ Previous" is greyed out\)/);
  assert.match(second!, /Page 2 of 2/);
  assert.match(atLast!, /^! this is the last page \("Next ▶" is greyed out\)/);
});

test('the banner counts articles with thousands separators, and no input at all still exits with status 0', async () => {
  const contentDir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-many-'));
  try {
    for (let i = 0; i < 1200; i++) fs.writeFileSync(path.join(contentDir, `a${i}.md`), validArticle(`many${i}`));
    const run = await runPrompt([], { CONTENT_DIR: contentDir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.opening, /1,200 articles loaded, 1,\d{3} of them published/);
  } finally {
    fs.rmSync(contentDir, { recursive: true, force: true });
  }
});
