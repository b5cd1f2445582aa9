// `npm run proxy`: the REST proxy that every Newsdesk process reaches Discord through when there are several of them
// (each with DISCORD_API_URL=http://<this host>:PROXY_PORT/api), so they share the token's one rate limit. It relays
// only requests of the bot whose DISCORD_TOKEN and DISCORD_CLIENT_ID it is given. With HEALTH_PORT set it also serves
// /healthz and /metrics, where the 429s Discord answered the processes are counted.
import { ConfigError, loadProxyConfig } from '../config.js';
import { createLogger } from '../log.js';
import { startHealthServer, type HealthServer } from '../ops/healthServer.js';
import { createMetrics } from '../ops/metrics.js';
import { countRateLimits } from '../ops/rateLimitCounter.js';
import { startRestProxy } from '../ops/restProxy.js';

async function main(): Promise<void> {
  const config = loadProxyConfig();
  const logger = createLogger(config.logLevel).child({ role: 'proxy' });
  const metrics = createMetrics({ role: 'proxy', shards: 'none' });
  const proxy = await startRestProxy({
    upstream: config.discordApiUrl, token: config.token, applicationId: config.applicationId, port: config.port, host: config.host, logger,
    observe: (rest) => countRateLimits(rest, metrics),
  });
  let health: HealthServer | undefined;
  if (config.healthPort !== undefined) {
    health = await startHealthServer({ port: config.healthPort, ready: () => ({ ok: true, detail: `relaying ${proxy.apiUrl} to ${config.discordApiUrl}` }), metrics, logger });
  }
  const stop = async (signal: string) => {
    logger.info({ event: 'shutdown', signal }, 'REST proxy stopping');
    await Promise.all([proxy.close(), health?.close()]);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  const code = (error as { code?: unknown }).code;
  // Listening is the one thing that fails here: a port in use, or an address this machine does not have.
  const hint = code === 'EADDRINUSE' ? ': the port is in use; set PROXY_PORT to another one' : code === 'EADDRNOTAVAIL' ? ': this machine has no such address; check PROXY_HOST' : '';
  console.error(`The REST proxy could not start: ${error instanceof Error ? error.message : String(error)}${hint}`);
  process.exit(1);
});
