import type { REST } from 'discord.js';
import type { Metrics } from './metrics.js';

/**
 * Counts every 429 that `rest` receives into `metrics`, by scope. discord.js retries them itself, so this is the one
 * place they are seen; behind the REST proxy the bots see none, and the proxy's own REST is the one to count.
 */
export function countRateLimits(rest: REST, metrics: Pick<Metrics, 'rateLimited'>): void {
  rest.on('response', (_request, response) => {
    if (response.status !== 429) return;
    const global = response.headers.get('x-ratelimit-global') !== null || response.headers.get('x-ratelimit-scope') === 'global';
    metrics.rateLimited(global ? 'global' : 'route');
  });
}
