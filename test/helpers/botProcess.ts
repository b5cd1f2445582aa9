// The real bot as `npm start` runs it (src/main.ts in a child process), pointed at a sandbox that lives in the test
// process through DISCORD_API_URL and DISCORD_TOKEN, with settings only from the environment. The sandbox outlives
// the child, so a test can kill it at any point and still see what was posted.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { DiscordSandbox } from '../../src/sandbox/server.js';
import { projectRoot } from './shared.js';

export interface BotProcess {
  child: ChildProcess;
  /**
   * Resolves once the scheduler has started, i.e. its first tick (resuming and catching up every run) is done; for
   * a gateway process (which schedules nothing), once it is connected.
   */
  started: Promise<void>;
  exited: Promise<number | null>;
  /** Everything the process wrote to stderr (its JSON log lines) so far. */
  stderr(): string;
}

const running = new Set<ChildProcess>();

/** Starts the bot over `dir`/content with its data in `dir`/data. */
export function startBotProcess(sandbox: DiscordSandbox, dir: string, env: Record<string, string> = {}): BotProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/main.ts')], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME,
      DISCORD_TOKEN: sandbox.token, DISCORD_CLIENT_ID: sandbox.applicationId, DISCORD_API_URL: sandbox.apiUrl,
      CONTENT_DIR: path.join(dir, 'content'), DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    running.delete(child);
    resolve(code);
  }));
  const started = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes(env.NEWSDESK_ROLE === 'gateway' ? '"event":"discord.ready"' : '"event":"scheduler.started"')) resolve();
    });
    void exited.then((code) => reject(new Error(`the bot exited (${code}) before its scheduler started:\n${stderr.slice(-2000)}`)));
  });
  started.catch(() => undefined);
  return { child, started, exited, stderr: () => stderr };
}

/** SIGKILLs every bot process still running: for a test's `after`, so a failed test leaves none behind. */
export function killBotProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}
