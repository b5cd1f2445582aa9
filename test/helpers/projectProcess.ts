// One of the project's own commands (a src/ TypeScript entry point) run as `npm` runs it, in a child process with
// settings only from the environment, its JSON log lines on stderr kept for the test to read. Every one started is
// tracked, so a test's `after` can SIGKILL what a failed test left running.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from './shared.js';

export interface ProjectProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Everything the process wrote to stderr (its JSON log lines) so far. */
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr; rejects naming `what` if the process exits first. */
  waitFor(pattern: RegExp, what: string): Promise<RegExpExecArray>;
}

const running = new Set<ChildProcess>();

/** Starts `node --import tsx <script>` (a path from the project's root) with `env` and nothing else but PATH and HOME. */
export function startProjectProcess(script: string, env: Record<string, string>): ProjectProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, script)], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const listener of listeners) listener();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    running.delete(child);
    resolve(code);
  }));
  const waitFor = (pattern: RegExp, what: string) => new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(stderr);
      if (!match) return;
      listeners.delete(check);
      resolve(match);
    };
    listeners.add(check);
    check();
    void exited.then((code) => reject(new Error(`${script} exited (${code}) before ${what}:\n${stderr.slice(-2000)}`)));
  });
  return { child, exited, stderr: () => stderr, waitFor };
}

/** SIGKILLs every project process still running: for a test's `after`, so a failed test leaves none behind. */
export function killProjectProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}
