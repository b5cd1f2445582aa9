import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../log.js';
import { startPrompt } from './prompt.js';
import { DiscordSandbox } from './server.js';

// What `npm start` without a DISCORD_TOKEN uses: a sandbox, the settings that point the bot at it, a banner that
// says so, and the prompt to start once the bot is connected.

export interface SandboxDemo {
  sandbox: DiscordSandbox;
  /** Settings for the bot in place of the real Discord ones. */
  connection: { token: string; apiUrl: string; applicationId: string; guildId: string; digestChannelId: string };
  banner: string;
  /** Waits for the bot to connect to the sandbox gateway, then opens the prompt on stdin/stdout (or `io`). */
  startPrompt(io?: { input: Readable; output: Writable }, options?: { onExit?: () => void }): Promise<{ close(): void }>;
  close(): Promise<void>;
}

export function bannerFor(sandbox: DiscordSandbox): string {
  const channel = (id: string) => `#${sandbox.channelName(id) ?? id}`;
  return [
    '┌─ Newsdesk sandbox ───────────────────────────────────────────────',
    '│ No DISCORD_TOKEN is set, so Newsdesk runs against a local Discord-compatible server.',
    `│ API ${sandbox.apiUrl} · guild "${sandbox.guild.name}" · ${channel(sandbox.channels.news)} ${channel(sandbox.channels.general)} ${channel(sandbox.channels.locked)} (bot may not post)`,
    `│ You are "${sandbox.members.admin.username}" (Manage Server) typing in ${channel(sandbox.channels.news)}.`,
    '│ To use real Discord, set DISCORD_TOKEN and DISCORD_CLIENT_ID in .env (see .env.example).',
    '└──────────────────────────────────────────────────────────────────',
  ].join('\n');
}

export async function startSandboxDemo(options: { port: number; logger: Logger }): Promise<SandboxDemo> {
  const sandbox = await DiscordSandbox.start({ port: options.port, logger: options.logger });
  return {
    sandbox,
    connection: { token: sandbox.token, apiUrl: sandbox.apiUrl, applicationId: sandbox.applicationId, guildId: sandbox.guild.id, digestChannelId: sandbox.channels.news },
    banner: bannerFor(sandbox),
    async startPrompt(io, promptOptions) {
      await sandbox.waitForBot();
      return startPrompt(sandbox, io, promptOptions);
    },
    close: () => sandbox.close(),
  };
}
