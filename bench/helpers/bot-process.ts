// The real bot (src/main.ts, as `npm start` runs it, or compiled, as `npm run start:prod` runs it) in a child process,
// pointed at a sandbox in the benchmark's process as if it were Discord: start-up is timed from the spawn to the log
// lines it prints, memory and event-loop delays are read inside the child (measure-hook.mjs), and commands go through
// the sandbox's driver.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REST } from 'discord.js';
import { commandDefinitions } from '../../src/bot/commands/index.js';
import { deployCommands } from '../../src/bot/deploy.js';
import { createLogger } from '../../src/log.js';
import { DiscordSandbox } from '../../src/sandbox/server.js';
import type { LoopReport } from './event-loop.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type LogLine = Record<string, unknown> & { msg?: string; event?: string };

export interface BotProcess {
  child: ChildProcess;
  /** Every JSON log line so far, in order. */
  lines: LogLine[];
  /** Milliseconds from the spawn to the first log line `match` accepts (waiting for it), with that line. */
  waitFor(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<{ ms: number; line: LogLine }>;
  /** The child's memory after forced full GCs. */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** The child's event-loop delays over 20 ms so far, and its garbage collector's pauses (see measure-hook.mjs). */
  loop(): Promise<LoopReport>;
  /** SIGTERM (main's clean shutdown), then waits for the exit. */
  stop(): Promise<void>;
}

/** The line main prints last on start-up: the scheduler is running, so the bot is ready for everything. */
export const isReady = (line: LogLine) => line.event === 'scheduler.started';

/** The library prepares its search index (and folded text, in small steps after it) in the background after loading. */
export const isIndexReady = (line: LogLine) => line.msg === 'search index ready';

// Enough for the library's remaining warm-up steps after its index and for the index cache it writes then.
const SETTLE_MS = 7000;

/** Waits until the bot is ready and its library's warm-up is over, so figures show its steady state. */
export async function settled(bot: BotProcess): Promise<void> {
  await bot.waitFor(isReady);
  await bot.waitFor(isIndexReady);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

export interface BotProcessOptions {
  sandbox: DiscordSandbox;
  contentDir: string;
  /** DATA_DIR: the caches live in DATA_DIR/cache. */
  dataDir: string;
  databasePath: string;
  /** The compiled bot's folder (npm run build's output), run with plain node; by default src/main.ts under tsx. */
  compiled?: string;
}

export function startBotProcess(options: BotProcessOptions): BotProcess {
  const started = performance.now();
  const { sandbox } = options;
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      ...(options.compiled ? [] : ['--import', 'tsx']),
      '--import', pathToFileURL(path.join(root, 'bench/helpers/measure-hook.mjs')).href,
      options.compiled ? path.join(options.compiled, 'main.js') : path.join(root, 'src/main.ts'),
    ],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: {
        ...process.env,
        DISCORD_TOKEN: sandbox.token,
        DISCORD_CLIENT_ID: sandbox.applicationId,
        DISCORD_API_URL: sandbox.apiUrl,
        CONTENT_DIR: options.contentDir,
        DATA_DIR: options.dataDir,
        DATABASE_PATH: options.databasePath,
        LOG_LEVEL: 'info',
      },
    },
  );
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  const exited = once(child, 'exit');
  readline.createInterface({ input: child.stderr! }).on('line', (text) => {
    try {
      lines.push({ ...(JSON.parse(text) as LogLine), atMs: performance.now() - started });
    } catch {
      lines.push({ msg: text, atMs: performance.now() - started });
    }
    waiters.forEach((wake) => wake());
  });
  return {
    child,
    lines,
    waitFor(match, timeoutMs = 180_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`the bot printed no such line within ${timeoutMs} ms`)), timeoutMs);
        const finish = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
        };
        const check = () => {
          const line = lines.find(match);
          if (line) {
            finish();
            resolve({ ms: line.atMs as number, line });
          } else if (child.exitCode !== null) {
            finish(new Error(`the bot exited (${child.exitCode}); last lines: ${JSON.stringify(lines.slice(-3))}`));
          }
        };
        waiters.add(check);
        void exited.then(check);
        check();
      });
    },
    async memory() {
      const answer = once(child, 'message') as Promise<[NodeJS.MemoryUsage & { gc: boolean }]>;
      child.send('memory');
      const [usage] = await answer;
      if (!usage.gc) throw new Error('the bot runs without --expose-gc: its memory would include uncollected garbage');
      return usage;
    },
    async loop() {
      const answer = once(child, 'message') as Promise<[LoopReport]>;
      child.send('loop');
      return (await answer)[0];
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** Registers the bot's commands in the sandbox (main only deploys them itself in sandbox mode), as deploy-commands would. */
export async function deployToSandbox(sandbox: DiscordSandbox): Promise<void> {
  const rest = new REST({ api: sandbox.apiUrl }).setToken(sandbox.token);
  await deployCommands(rest, sandbox.applicationId, commandDefinitions(), sandbox.guild.id);
}

export interface SettledBot {
  sandbox: DiscordSandbox;
  bot: BotProcess;
  /** Articles the bot loaded at start. */
  articles: number;
  close(): Promise<void>;
}

/**
 * A fresh sandbox with the bot's commands registered, and the bot started against it on `content` with a database
 * of its own, once it is settled (see settled()), so members can use it as they would.
 */
export async function startSettledBot(content: { contentDir: string; dataDir: string; compiled?: string }): Promise<SettledBot> {
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-bench-bot-'));
  const bot = startBotProcess({ sandbox, ...content, databasePath: path.join(dir, 'newsdesk.sqlite') });
  const close = async () => {
    await bot.stop();
    await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await deployToSandbox(sandbox);
    await settled(bot);
  } catch (error) {
    await close();
    throw error;
  }
  return { sandbox, bot, articles: bot.lines.find((l) => l.msg === 'articles loaded')?.loaded as number, close };
}
