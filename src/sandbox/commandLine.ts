import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import type { InvokeOptions } from './driver.js';

// A slash command typed at the prompt, read as Discord's client reads what a member types: the command's name, its
// group and subcommand as words, then each option as `name:value`, where a value runs to the next option's `name:`
// (`query:flood barrier topic:Climate`), or sits in quotes.

export interface Definition {
  type?: number;
  name: string;
  description?: string;
  options?: Definition[];
}

export type ParsedLine = { name: string; invoke: InvokeOptions } | { error: string };

// An option starts at `name:` after a space: a known name always, any other only when a value follows at once
// (`topc:Climate`), so that a mistyped name is named instead of silently becoming part of the value before it, while
// `news: flood` and `http://…` stay text. Names are matched regardless of case (Discord's are lower case).
const OPTION_AT_START = /^([\p{L}_][\p{L}\p{N}_-]*):/u;
const OPTION_INSIDE = /\s([\p{L}_][\p{L}\p{N}_-]*):(?!\/\/)(?=(\S?))/gu;
const QUOTED = /^(?:"([\s\S]*)"|'([\s\S]*)'|“([\s\S]*)”)$/;
const CLOSING_QUOTE: Record<string, string> = { '"': '"', "'": "'", '“': '”' };

/** A slash command, as opposed to a user or message (context menu) command; the type defaults to slash. */
export function isChatCommand(command: Definition): boolean {
  return (command.type ?? ApplicationCommandType.ChatInput) === ApplicationCommandType.ChatInput;
}

/** The subcommands and subcommand groups among a level's options. */
export function nestedCommands(level: readonly Definition[]): Definition[] {
  return level.filter((o) => o.type === ApplicationCommandOptionType.Subcommand || o.type === ApplicationCommandOptionType.SubcommandGroup);
}

const names = (level: readonly Definition[]) => level.map((o) => o.name).join(', ');
const optionList = (level: readonly Definition[]) => (level.length ? `its options: ${names(level)}` : 'it has none');

/** Why a word after a (sub)command that takes no further subcommand cannot be read. */
function notAnOption(command: string, word: string, level: readonly Definition[]): { error: string } {
  return { error: `/${command} takes its options as name:value, not "${word}"; ${optionList(level)}` };
}

/** Where the next option starts in `text` at or after `from`, given the option names the (sub)command has. */
function nextOptionStart(text: string, from: number, known: ReadonlySet<string>): number {
  OPTION_INSIDE.lastIndex = Math.max(0, from - 1);
  for (let m = OPTION_INSIDE.exec(text); m; m = OPTION_INSIDE.exec(text)) {
    if (m.index + 1 >= from && (known.has(m[1]!.toLowerCase()) || m[2] !== '')) return m.index + 1;
  }
  return text.length;
}

/** The `name:value` options of `text` against the options a (sub)command has; values stay text. */
function parseOptions(text: string, command: string, level: readonly Definition[]): { options: Record<string, string> } | { error: string } {
  const known = new Set(level.map((o) => o.name));
  const options: Record<string, string> = {};
  let at = text.search(/\S/);
  while (at >= 0 && at < text.length) {
    const start = OPTION_AT_START.exec(text.slice(at));
    if (!start) return notAnOption(command, /^\S+/.exec(text.slice(at))![0], level);
    const name = start[1]!.toLowerCase();
    if (!known.has(name)) {
      const quoteHint = Object.keys(options).length ? `; a value holding "${start[0]}" goes in quotes` : '';
      return { error: `/${command} has no option "${name}"; ${optionList(level)}${quoteHint}` };
    }
    if (Object.hasOwn(options, name)) return { error: `${name}: is given twice in /${command}` };
    const valueAt = at + start[0].length;
    // A quoted value may hold `name:` itself, so the next option is looked for after its closing quote.
    const open = /^\s*(["'“])/.exec(text.slice(valueAt));
    const close = open ? text.indexOf(CLOSING_QUOTE[open[1]!]!, valueAt + open[0].length) : -1;
    const end = nextOptionStart(text, close >= 0 ? close + 1 : valueAt, known);
    const raw = text.slice(valueAt, end).trim();
    const quoted = QUOTED.exec(raw);
    const value = quoted ? (quoted[1] ?? quoted[2] ?? quoted[3]!) : raw;
    if (!value) return { error: `${name}: needs a value, as ${name}:something` };
    options[name] = value;
    at = text.slice(end).search(/\S/);
    if (at >= 0) at += end;
  }
  return { options };
}

/**
 * Reads `/name [group] [subcommand] key:value …` against the registered definitions, which say which words are a
 * group or subcommand and which names are options. Values stay text: the driver converts them by the option's type.
 */
export function parseCommandLine(line: string, commands: readonly Definition[]): ParsedLine {
  const trimmed = line.trim();
  if (!trimmed.startsWith('/')) return { error: 'a command starts with /' };
  const body = trimmed.slice(1);
  const optionsAt = body.search(/(?:^|\s)[^\s:"']+:/);
  const words = (optionsAt < 0 ? body : body.slice(0, optionsAt)).split(/\s+/).filter(Boolean);
  const [name, ...path] = words;
  const command = commands.find((c) => c.name === name && isChatCommand(c));
  if (!name || !command) return { error: `unknown command /${name ?? ''}; try: ${commands.filter(isChatCommand).map((c) => `/${c.name}`).join(' ') || '(the bot has registered none yet)'}` };
  const invoke: InvokeOptions = {};
  let level = command.options ?? [];
  const used = [name];
  for (const word of path) {
    const nested = nestedCommands(level);
    if (!nested.length) return notAnOption(used.join(' '), word, level);
    const next = nested.find((o) => o.name === word);
    if (!next) return { error: `/${used.join(' ')} has no "${word}"; choose: ${names(nested)}` };
    if (next.type === ApplicationCommandOptionType.SubcommandGroup) invoke.group = word;
    else invoke.subcommand = word;
    used.push(word);
    level = next.options ?? [];
  }
  const expected = nestedCommands(level);
  if (expected.length) return { error: `/${used.join(' ')} needs one of: ${names(expected)}` };
  const parsed = parseOptions(optionsAt < 0 ? '' : body.slice(optionsAt), used.join(' '), level);
  return 'error' in parsed ? parsed : { name, invoke: { ...invoke, options: parsed.options } };
}
