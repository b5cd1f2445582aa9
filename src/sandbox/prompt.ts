import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import type { InvokeOptions } from './driver.js';
import { buttonsOf, renderMessage } from './render.js';
import type { DiscordSandbox } from './server.js';

// The terminal face of the sandbox: type a slash command as in Discord, see the reply as text, press buttons with
// next/prev (or `click <label>`), and watch what the bot posts to channels.

interface Definition {
  type?: number;
  name: string;
  description?: string;
  options?: Definition[];
}

export type ParsedLine = { name: string; invoke: InvokeOptions } | { error: string };

const TOKEN = /([^\s:"']+):(?:"([^"]*)"|'([^']*)'|(\S*))|"([^"]*)"|(\S+)/g;

/**
 * Reads `/name [group] [subcommand] key:value key:"quoted value"` against the registered definitions, which say
 * which bare words are a group or subcommand. Values stay text: the driver converts them by the option's type.
 */
export function parseCommandLine(line: string, commands: readonly Definition[]): ParsedLine {
  const trimmed = line.trim();
  if (!trimmed.startsWith('/')) return { error: 'a command starts with /' };
  const words: string[] = [];
  const options: Record<string, string> = {};
  for (const m of trimmed.slice(1).matchAll(TOKEN)) {
    if (m[1] !== undefined) options[m[1]] = m[2] ?? m[3] ?? m[4] ?? '';
    else words.push(m[5] ?? m[6]!);
  }
  const [name, ...path] = words;
  const command = commands.find((c) => c.name === name && isChatCommand(c));
  if (!name || !command) return { error: `unknown command /${name ?? ''}; try: ${commands.map((c) => `/${c.name}`).join(' ') || '(the bot has registered none yet)'}` };
  const invoke: InvokeOptions = { options };
  let level = command.options ?? [];
  for (const word of path) {
    const next = nestedCommands(level).find((o) => o.name === word);
    if (!next) return { error: `/${name} has no "${word}" here; choose: ${subcommandNames(level).join(', ') || 'no subcommands'}` };
    if (next.type === ApplicationCommandOptionType.SubcommandGroup) invoke.group = word;
    else invoke.subcommand = word;
    level = next.options ?? [];
  }
  const expected = subcommandNames(level);
  if (expected.length) return { error: `/${[name, ...path].join(' ')} needs one of: ${expected.join(', ')}` };
  return { name, invoke };
}

/** A slash command, as opposed to a user or message (context menu) command; the type defaults to slash. */
function isChatCommand(command: Definition): boolean {
  return (command.type ?? ApplicationCommandType.ChatInput) === ApplicationCommandType.ChatInput;
}

/** The subcommands and subcommand groups among a level's options. */
function nestedCommands(level: readonly Definition[]): Definition[] {
  return level.filter((o) => o.type === ApplicationCommandOptionType.Subcommand || o.type === ApplicationCommandOptionType.SubcommandGroup);
}

function subcommandNames(level: readonly Definition[]): string[] {
  return nestedCommands(level).map((o) => o.name);
}

/** One help line per command and subcommand, with its options. */
function helpText(commands: readonly Definition[]): string {
  const lines: string[] = [];
  const walk = (prefix: string, d: Definition) => {
    const nested = nestedCommands(d.options ?? []);
    if (nested.length) return nested.forEach((n) => walk(`${prefix} ${n.name}`, n));
    const args = (d.options ?? []).map((o) => `${o.name}:…`).join(' ');
    lines.push(`  ${prefix}${args ? ` ${args}` : ''}  — ${d.description ?? ''}`);
  };
  commands.filter(isChatCommand).forEach((c) => walk(`/${c.name}`, c));
  lines.push('  next / prev, or click <label> — press a button of the last reply;  help;  exit');
  return lines.join('\n');
}

export function startPrompt(
  sandbox: DiscordSandbox,
  io: { input: Readable; output: Writable } = { input: process.stdin, output: process.stdout },
  options: { onExit?: () => void } = {},
): { close(): void } {
  const rl = readline.createInterface({ input: io.input, output: io.output, prompt: 'newsdesk> ' });
  const print = (text: string): void => {
    io.output.write(`${text}\n`);
  };
  const commands = () => [...sandbox.registeredCommands(sandbox.guild.id), ...sandbox.registeredCommands()] as Definition[];
  let lastMessageId: string | undefined;
  let queue = Promise.resolve();

  const stopWatching = sandbox.onMessage((message) => {
    print(`\n#${sandbox.channelName(message.channelId) ?? message.channelId} — Newsdesk posted:\n${renderMessage(message.body)}`);
  });

  const show = (messageId: string, fallback: unknown, followUps: unknown[]) => {
    const current = sandbox.driver.message(messageId) ?? fallback;
    print(renderMessage(current));
    for (const followUp of followUps) print(renderMessage(followUp));
    if (buttonsOf(current).length) lastMessageId = messageId;
  };

  async function handle(line: string): Promise<void> {
    const text = line.trim();
    if (!text) return;
    if (text === 'exit' || text === 'quit') return close();
    if (text === 'help') return print(helpText(commands()));
    const clickMatch = /^(next|prev|previous|click\s+(.+))$/i.exec(text);
    if (clickMatch) {
      const wanted = (clickMatch[2] ?? clickMatch[1]!).toLowerCase().replace(/^previous$/, 'prev');
      const body = lastMessageId === undefined ? undefined : sandbox.driver.message(lastMessageId);
      const button = buttonsOf(body).find((b) => b.label.toLowerCase().includes(wanted) || b.customId.toLowerCase().includes(wanted));
      if (!button || lastMessageId === undefined) return print(`! no "${wanted}" button on the last reply`);
      const reply = await sandbox.driver.click({ id: lastMessageId }, button.customId);
      return show(reply.id || lastMessageId, reply.body, reply.followUps);
    }
    const parsed = parseCommandLine(text, commands());
    if ('error' in parsed) return print(`! ${parsed.error}`);
    const reply = await sandbox.driver.command(parsed.name, parsed.invoke);
    show(reply.id, reply.body, reply.followUps);
  }

  rl.on('line', (line) => {
    // One line at a time, so replies print in the order the commands were typed.
    queue = queue
      .then(() => handle(line))
      .catch((error: unknown) => print(`! ${error instanceof Error ? error.message : String(error)}`))
      .then(() => rl.prompt());
  });
  rl.on('close', () => {
    stopWatching();
    options.onExit?.();
  });
  print(`Type a command as in Discord, e.g. /news search topic:AI — or "help".`);
  rl.prompt();

  function close(): void {
    rl.close();
  }
  return { close };
}
