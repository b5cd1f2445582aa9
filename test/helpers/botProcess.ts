// The real bot as `npm start` runs it (src/main.ts in a child process), pointed at a sandbox that lives in the test
// process through DISCORD_API_URL and DISCORD_TOKEN, with settings only from the environment. The sandbox outlives
// the child, so a test can kill it at any point and still see what was posted.
import path from 'node:path';
import type { DiscordSandbox } from '../../src/sandbox/server.js';
import { startProjectProcess, type ProjectProcess } from './projectProcess.js';

export interface BotProcess extends ProjectProcess {
  /**
   * Resolves once the scheduler has started, i.e. its first tick (resuming and catching up every run) is done; for
   * a gateway process (which schedules nothing), once it is connected.
   */
  started: Promise<void>;
}

/** Starts the bot over `dir`/content with its data in `dir`/data. */
export function startBotProcess(sandbox: DiscordSandbox, dir: string, env: Record<string, string> = {}): BotProcess {
  const bot = startProjectProcess('src/main.ts', {
    DISCORD_TOKEN: sandbox.token, DISCORD_CLIENT_ID: sandbox.applicationId, DISCORD_API_URL: sandbox.apiUrl,
    CONTENT_DIR: path.join(dir, 'content'), DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'info',
    ...env,
  });
  const gateway = env.NEWSDESK_ROLE === 'gateway';
  const started = bot.waitFor(gateway ? /"event":"discord\.ready"/ : /"event":"scheduler\.started"/, gateway ? 'it connected' : 'its scheduler started').then(() => undefined);
  started.catch(() => undefined);
  return { ...bot, started };
}

export { killProjectProcesses as killBotProcesses } from './projectProcess.js';
