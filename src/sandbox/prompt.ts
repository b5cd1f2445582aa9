import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { parseCommandLine, type Definition } from './commandLine.js';
import { mentionLabels } from './names.js';
import { promptHelp } from './promptHelp.js';
import { buttonsOf, renderMessage } from './render.js';
import type { DiscordSandbox } from './server.js';

// The terminal face of the sandbox: type a slash command as in Discord, see the reply as text, press buttons with
// next/prev (or `click <label>`), and watch what the bot posts to channels. Lines may come from a pipe too: each
// command is answered before the next is read, and the end of the input ends the prompt once all are answered.

const PROMPT = 'newsdesk> ';
const FIRST_TRY = '/news search topic:AI';
// What a greyed-out paging button means to the member looking at it.
const PAGE_END: Record<string, string> = { next: 'this is the last page', prev: 'this is the first page' };

export function startPrompt(
  sandbox: DiscordSandbox,
  io: { input: Readable; output: Writable } = { input: process.stdin, output: process.stdout },
  options: { onExit?: () => void } = {},
): { close(): void } {
  const rl = readline.createInterface({ input: io.input, output: io.output, prompt: PROMPT });
  const echo = !rl.terminal;
  const print = (text: string): void => {
    io.output.write(`${text}\n`);
  };
  const commands = () => [...sandbox.registeredCommands(sandbox.guild.id), ...sandbox.registeredCommands()] as Definition[];
  const seat = { memberId: sandbox.members.admin.id, channelId: sandbox.channels.news };
  let lastReplyId: string | undefined;
  let queue = Promise.resolve();
  let pending = 0;
  let closed = false;
  let quitting = false;
  let exited = false;

  const render = (body: unknown) => renderMessage(body, mentionLabels(sandbox.driver.directory()));

  const stopWatching = sandbox.onMessage((message) => {
    print(`\n#${sandbox.channelName(message.channelId) ?? message.channelId} — Newsdesk posted:\n${render(message.body)}`);
  });

  const show = (messageId: string, fallback: unknown, followUps: unknown[]) => {
    print(render(sandbox.driver.message(messageId) ?? fallback));
    for (const followUp of followUps) print(render(followUp));
    lastReplyId = messageId;
  };

  /** Presses the button of the last reply whose label (else custom id) holds `word`. */
  async function press(word: string): Promise<void> {
    const reply = lastReplyId ? sandbox.driver.message(lastReplyId) : undefined;
    if (!lastReplyId || !reply) return print(`! there is no reply to press a button on yet: run a command first, such as ${FIRST_TRY}`);
    const buttons = buttonsOf(reply);
    const wanted = word.toLowerCase();
    const button = buttons.find((b) => b.label.toLowerCase().includes(wanted)) ?? buttons.find((b) => b.customId.toLowerCase().includes(wanted));
    if (!button) {
      return print(`! the last reply has ${buttons.length ? `no "${word}" button; its buttons: ${buttons.map((b) => b.label || b.customId).join(', ')}` : 'no buttons'}`);
    }
    if (button.disabled) return print(`! ${PAGE_END[wanted] ?? 'that button is disabled'} ("${button.label || button.customId}" is greyed out)`);
    const answer = await sandbox.driver.click({ id: lastReplyId }, button.customId);
    show(answer.id || lastReplyId, answer.body, answer.followUps);
  }

  async function handle(text: string): Promise<void> {
    if (text === 'exit' || text === 'quit') {
      quitting = true;
      return close();
    }
    if (text === 'help') return print(promptHelp(commands(), sandbox.driver.directory(), seat));
    const pressMatch = /^(?:(next)|(prev|previous)|click\s+(.+))$/i.exec(text);
    if (pressMatch) return press(pressMatch[1] ?? (pressMatch[2] ? 'prev' : pressMatch[3]!));
    const parsed = parseCommandLine(text, commands());
    if ('error' in parsed) return print(`! ${parsed.error}`);
    const reply = await sandbox.driver.command(parsed.name, parsed.invoke);
    show(reply.id, reply.body, reply.followUps);
  }

  const exit = () => {
    if (exited) return;
    exited = true;
    stopWatching();
    options.onExit?.();
  };
  // At a terminal readline draws the prompt and shows what is typed. Otherwise (a pipe) the prompt is written while
  // input may still come, and each line is printed after it when its turn comes, so the transcript reads the same.
  const promptAgain = () => {
    if (echo && (!closed || pending > 0)) io.output.write(PROMPT);
    else if (!echo && !closed) rl.prompt();
  };

  rl.on('line', (line) => {
    const text = line.trim();
    pending += 1;
    // One line at a time, so each answer prints before the next command runs, in the order they were typed.
    queue = queue
      .then(() => {
        if (quitting) return;
        if (echo && text) print(text);
        return text ? handle(text) : undefined;
      })
      .catch((error: unknown) => print(`! ${error instanceof Error ? error.message : String(error)}`))
      .then(() => {
        pending -= 1;
        if (!quitting && (text || !echo)) promptAgain();
      });
  });
  // Ctrl+C at a terminal leaves at once; the end of the input (a pipe's end, Ctrl+D) or `exit` first lets every
  // command before it be answered.
  rl.on('SIGINT', () => {
    rl.close();
    exit();
  });
  rl.on('close', () => {
    closed = true;
    // The input ended at an idle prompt: end its line.
    if (echo && pending === 0 && !quitting) io.output.write('\n');
    void queue.then(exit);
  });
  print(`Type a command as in Discord, e.g. ${FIRST_TRY} — or "help" for the commands, channels and roles.`);
  promptAgain();

  function close(): void {
    rl.close();
  }
  return { close };
}
