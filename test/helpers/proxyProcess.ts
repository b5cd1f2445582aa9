// The REST proxy as `npm run proxy` runs it (src/cli/proxy.ts in a child process), with settings only from the
// environment, relaying to `upstream` (the sandbox).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from './shared.js';

export interface ProxyProcess {
  /** What each Newsdesk process sets as DISCORD_API_URL to go through the proxy. */
  apiUrl: string;
  stderr(): string;
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Starts the proxy on a free port; resolves once it listens. */
export async function startProxyProcess(upstream: string, env: Record<string, string> = {}): Promise<ProxyProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/cli/proxy.ts')], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DISCORD_API_URL: upstream, PROXY_PORT: '0', LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    running.delete(child);
    resolve(code);
  }));
  const apiUrl = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const listening = /"event":"proxy\.listening","apiUrl":"([^"]+)"/.exec(stderr);
      if (listening) resolve(listening[1]!);
    });
    void exited.then((code) => reject(new Error(`the proxy exited (${code}) before listening:\n${stderr}`)));
  });
  return {
    apiUrl,
    stderr: () => stderr,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** SIGKILLs every proxy still running: for a test's `after`. */
export function killProxyProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}
