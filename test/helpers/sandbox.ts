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

export interface RawAnswer {
  status: number;
  headers: Headers;
  json: Record<string, unknown> | undefined;
}

/** A request straight to the sandbox's API, without discord.js's queue, to see exactly what Discord would answer. */
export async function rawCall(sandbox: DiscordSandbox, method: string, path: string, body?: unknown, token: string | null = sandbox.token): Promise<RawAnswer> {
  const response = await fetch(`${sandbox.apiUrl}/v10${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bot ${token}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

/** The `_errors` Discord puts at the end of `path` inside an Invalid Form Body's `errors`. */
export function errorsAt(json: Record<string, unknown> | undefined, path: (string | number)[]): { code: string; message: string }[] | undefined {
  let node: unknown = json?.errors;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[String(key)];
  return (node as { _errors?: { code: string; message: string }[] } | undefined)?._errors;
}
