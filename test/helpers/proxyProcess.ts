// The REST proxy as `npm run proxy` runs it (src/cli/proxy.ts in a child process), with settings only from the
// environment, relaying to `upstream` (the sandbox).
import { startProjectProcess } from './projectProcess.js';

export interface ProxyProcess {
  /** What each Newsdesk process sets as DISCORD_API_URL to go through the proxy. */
  apiUrl: string;
  stderr(): string;
  stop(): Promise<number | null>;
}

/** Starts the proxy on a free port; resolves once it listens. */
export async function startProxyProcess(upstream: string, env: Record<string, string> = {}): Promise<ProxyProcess> {
  const proxy = startProjectProcess('src/cli/proxy.ts', { DISCORD_API_URL: upstream, PROXY_PORT: '0', LOG_LEVEL: 'debug', ...env });
  const [, apiUrl] = await proxy.waitFor(/"event":"proxy\.listening","apiUrl":"([^"]+)"/, 'listening');
  return {
    apiUrl: apiUrl!,
    stderr: proxy.stderr,
    stop: () => {
      proxy.child.kill('SIGTERM');
      return proxy.exited;
    },
  };
}

export { killProjectProcesses as killProxyProcesses } from './projectProcess.js';
