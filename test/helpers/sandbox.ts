import { Client, Events, GatewayIntentBits, type Interaction } from 'discord.js';
import { createLogger } from '../../src/log.js';
import { DiscordSandbox, type SandboxOptions } from '../../src/sandbox/server.js';

/** A sandbox and the real discord.js client logged in to it, with `handler` answering interactions. */
export interface SandboxSession {
  sandbox: DiscordSandbox;
  client: Client<true>;
  close(): Promise<void>;
}

export async function startSandboxSession(handler: (interaction: Interaction) => Promise<unknown> = async () => undefined, options: Omit<SandboxOptions, 'logger'> = {}): Promise<SandboxSession> {
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent'), ...options });
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: sandbox.apiUrl } });
  client.on(Events.InteractionCreate, (interaction) => void handler(interaction));
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(sandbox.token);
  await ready;
  return {
    sandbox,
    client: client as Client<true>,
    async close() {
      await client.destroy();
      await sandbox.close();
    },
  };
}
