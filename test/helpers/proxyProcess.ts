// The REST proxy as `npm run proxy` runs it (src/cli/proxy.ts in a child process), with settings only from the
// environment, relaying the sandbox's bot's requests to the sandbox.
import type { DiscordSandbox } from '../../src/sandbox/server.js';
import { startProjectProcess } from './projectProcess.js';

export interface ProxyProcess {
  /** What each Newsdesk process sets as DISCORD_API_URL to go through the proxy. */
  apiUrl: string;
  stderr(): string;
  stop(): Promise<number | null>;
}

/** Starts the proxy on a free port with the sandbox's token and application id; resolves once it listens. */
export async function startProxyProcess(sandbox: Pick<DiscordSandbox, 'apiUrl' | 'token' | 'applicationId'>, env: Record<string, string> = {}): Promise<ProxyProcess> {
  const proxy = startProjectProcess('src/cli/proxy.ts', {
    DISCORD_API_URL: sandbox.apiUrl, DISCORD_TOKEN: sandbox.token, DISCORD_CLIENT_ID: sandbox.applicationId, PROXY_PORT: '0', LOG_LEVEL: 'debug', ...env,
  });
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
