import { ApplicationCommandOptionType } from 'discord.js';
import { isChatCommand, nestedCommands, type Definition } from './commandLine.js';
import { channelLabel, memberLabel, roleLabel, type SandboxDirectory } from './names.js';

// What `help` prints at the prompt: the bot's commands, the sandbox server's channels, roles and members (what the
// pickers of Discord's client would offer), and the prompt's own words.

/** Who types at the prompt and where the commands run. */
export interface PromptSeat {
  memberId: string;
  channelId: string;
}

/** One line per command and subcommand, with its options. */
function commandLines(commands: readonly Definition[]): string[] {
  const lines: string[] = [];
  const walk = (prefix: string, d: Definition) => {
    const nested = nestedCommands(d.options ?? []);
    if (nested.length) return nested.forEach((n) => walk(`${prefix} ${n.name}`, n));
    const args = (d.options ?? []).map((o) => `${o.name}:…`).join(' ');
    lines.push(`  ${prefix}${args ? ` ${args}` : ''}  — ${d.description ?? ''}`);
  };
  commands.filter(isChatCommand).forEach((c) => walk(`/${c.name}`, c));
  return lines;
}

/** The name of the first option of `type` among the commands, to show how such an option is filled in. */
function optionOfType(commands: readonly Definition[], type: number): string | undefined {
  const all = (list: readonly Definition[]): Definition[] => list.flatMap((d) => [d, ...all(d.options ?? [])]);
  return all(commands.filter(isChatCommand).flatMap((c) => c.options ?? [])).find((o) => o.type === type)?.name;
}

function directoryLines(directory: SandboxDirectory, commands: readonly Definition[], seat: PromptSeat): string[] {
  const example = (type: number, label: string) => {
    const option = optionOfType(commands, type);
    return option ? `  — as ${option}:${label}` : '';
  };
  const here = directory.channels.find((c) => c.id === seat.channelId);
  const you = directory.members.find((m) => m.id === seat.memberId);
  const roleName = (id: string) => directory.roles.find((r) => r.id === id)?.name;
  const channels = directory.channels.map((c) => `${channelLabel(c.name)}${c.botCanPost ? '' : ' (the bot may not post there)'}`);
  const otherChannel = directory.channels.find((c) => c.botCanPost && c.id !== seat.channelId);
  const role = directory.roles.find((r) => !r.name.startsWith('@'));
  const members = directory.members.map((m) => {
    const about = [m.id === seat.memberId ? 'you' : '', m.bot ? 'the bot' : '', ...m.roleIds.map(roleName)].filter(Boolean).join(', ');
    return `${memberLabel(m.username)}${about ? ` (${about})` : ''}`;
  });
  return [
    `The sandbox server, ${directory.guildName}: commands run in ${channelLabel(here?.name ?? seat.channelId)} as ${memberLabel(you?.username ?? seat.memberId)}.`,
    `  channels  ${channels.join(', ')}${otherChannel ? example(ApplicationCommandOptionType.Channel, channelLabel(otherChannel.name)) : ''}`,
    `  roles     ${directory.roles.map((r) => roleLabel(r.name)).join(', ')}${role ? example(ApplicationCommandOptionType.Role, roleLabel(role.name)) : ''}`,
    `  members   ${members.join(', ')}${you ? example(ApplicationCommandOptionType.User, memberLabel(you.username)) : ''}`,
  ];
}

/** The whole `help` text. */
export function promptHelp(commands: readonly Definition[], directory: SandboxDirectory, seat: PromptSeat): string {
  const lines = commandLines(commands);
  return [
    'Commands, typed as in Discord (a value runs to the next name:, or put it in quotes):',
    ...(lines.length ? lines : ['  (the bot has registered none yet)']),
    ...directoryLines(directory, commands, seat),
    'At the prompt:',
    '  next / prev, or click <label> — press a button of the last reply;  help — this list;  exit (or end of input)',
  ].join('\n');
}
