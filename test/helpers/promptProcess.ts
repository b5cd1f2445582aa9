// `npm start` with no token, its prompt fed through a pipe as `(echo "/news topics"; echo "/help") | npm start` does:
// every line written at once, then the end of the input. The transcript is split into each command's answer.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from './shared.js';

// Settings a developer's environment might hold: cleared, so the child runs the sandbox on the given folders.
const BLANK = { DISCORD_TOKEN: '', DISCORD_CLIENT_ID: '', DISCORD_GUILD_ID: '', DISCORD_API_URL: '', DIGEST_CHANNEL_ID: '', DIGEST_TIME: '', DIGEST_TIMEZONE: '', DATABASE_PATH: '' };
const PROMPT = 'newsdesk> ';
// Far beyond a start-up and a few dozen answers on a busy machine; only there so a hang fails instead of blocking.
const RUN_LIMIT_MS = 120_000;

export interface PromptAnswer {
  /** The line as the prompt echoed it. */
  command: string;
  /** Everything printed after it, up to the next command. */
  answer: string;
}

export interface PromptRun {
  /** Exit status; null if it had to be killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** What was printed before the first command: the demo digest and the banner. */
  opening: string;
  answers: PromptAnswer[];
}

/** Runs `node --import tsx src/main.ts` (what `npm start` runs) with `lines` piped in, on CONTENT_DIR=content by default. */
export async function runPrompt(lines: readonly string[], env: Record<string, string> = {}): Promise<PromptRun> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-prompt-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: projectRoot,
      env: { ...process.env, ...BLANK, CONTENT_DIR: 'content', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const limit = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (status) => resolve(status));
      child.stdin.end(lines.map((line) => `${line}\n`).join(''));
    });
    clearTimeout(limit);
    return { code, stdout, stderr, ...splitTranscript(stdout) };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function splitTranscript(stdout: string): { opening: string; answers: PromptAnswer[] } {
  // When the input ends after the last answer, the prompt waiting for more is left empty: not a command.
  const transcript = stdout.endsWith(`\n${PROMPT}\n`) ? stdout.slice(0, -PROMPT.length - 1) : stdout;
  const [opening = '', ...parts] = transcript.split(`\n${PROMPT}`);
  const answers = parts.map((part) => {
    const newline = part.indexOf('\n');
    return newline < 0 ? { command: part, answer: '' } : { command: part.slice(0, newline), answer: part.slice(newline + 1) };
  });
  return { opening, answers };
}

/** Why an answer is not a real one: a refusal of the prompt ("! …"), a stack trace, or nothing at all. */
export function answerProblem(answer: string): string | undefined {
  if (!answer.trim()) return 'no answer';
  const refused = answer.split('\n').find((line) => line.startsWith('!'));
  if (refused) return refused;
  if (/^\s+at .+:\d+:\d+\)?$/m.test(answer)) return 'a stack trace';
  return undefined;
}
