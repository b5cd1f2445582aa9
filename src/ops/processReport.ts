// What a running process tells its supervisor: whether it does its job now (/healthz) and the gauges that are read
// rather than counted (/metrics: shard latency, library size), sampled when scraped (both are in memory).
import type { Role } from '../config.js';
import type { Logger } from '../log.js';
import { startHealthServer } from './healthServer.js';
import type { HealthServer, Readiness } from './healthServer.js';
import type { Metrics } from './metrics.js';

/** What the report reads of the process, as it is at the moment (set once the bot has started). */
export interface ProcessState {
  role: Role;
  /** The bot once started; undefined while the articles load. */
  bot(): { connected: boolean; scheduling: boolean; shardLatencies(): Map<number, number> } | undefined;
  libraryArticles(): number;
}

/**
 * A gateway is ready once every shard it holds is connected; a scheduler once it claims due runs; `all` needs both.
 * Loading articles is not ready: a supervisor waiting on /healthz must not send traffic before the bot answers.
 */
export function readiness(state: ProcessState): Readiness {
  const bot = state.bot();
  if (!bot) return { ok: false, detail: 'starting: loading articles and connecting' };
  if (state.role !== 'scheduler' && !bot.connected) return { ok: false, detail: 'the gateway connection is down (discord.js is reconnecting)' };
  if (state.role !== 'gateway' && !bot.scheduling) return { ok: false, detail: 'the scheduler has not started claiming digests yet' };
  return { ok: true, detail: state.role === 'gateway' ? 'connected' : state.role === 'scheduler' ? 'claiming digests' : 'connected and claiming digests' };
}

function sample(state: ProcessState, metrics: Metrics): void {
  metrics.setLibrarySize(state.libraryArticles());
  // discord.js reports -1 until a shard's first heartbeat is acknowledged; setShardLatency skips those.
  for (const [id, ms] of state.bot()?.shardLatencies() ?? []) metrics.setShardLatency(id, ms / 1000);
}

/** Serves /healthz and /metrics on 127.0.0.1 at `port`. */
export async function reportProcess(port: number, state: ProcessState, metrics: Metrics, logger: Logger): Promise<HealthServer> {
  const exposition = () => {
    sample(state, metrics);
    return metrics.exposition();
  };
  return startHealthServer({ port, ready: () => readiness(state), metrics: { exposition }, logger });
}
