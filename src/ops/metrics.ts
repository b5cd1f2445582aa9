// What /metrics shows, and the only module that knows prom-client: the rest of Newsdesk calls these functions. Each
// process has its own Registry (not prom-client's global one), so a test can make several side by side.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RunObserver } from '../delivery/runs.js';

/** Why a digest run gave up: its plan could not be built, or Discord refused its channel for good. */
export type DigestFailure = 'plan_failed' | 'channel_refused';

/** A 429 that applied to every request of the token, or to one route's bucket. */
export type RateLimitScope = 'global' | 'route';

/** The labels every series of this process carries, telling processes apart on one Prometheus. */
export interface ProcessLabels {
  role: string;
  /** The shard ids this process holds, written compactly ("0-3,6"), or "none". */
  shards: string;
}

export interface Metrics {
  digestPosted(): void;
  digestFailed(reason: DigestFailure): void;
  rateLimited(scope: RateLimitScope): void;
  /** Seconds from a run's slot (when it was due) to the moment a process claimed it: once per run. */
  claimLag(seconds: number): void;
  /** The gateway heartbeat round trip of one shard; a negative value (discord.js's "not measured yet") is skipped. */
  setShardLatency(shardId: number, seconds: number): void;
  setLibrarySize(articles: number): void;
  /** Every metric in Prometheus's text format, with the content type to serve it under. */
  exposition(): Promise<{ contentType: string; body: string }>;
}

// From well inside a scheduler's sweep to past a lease's takeover (~30 s) and a few missed minutes.
const CLAIM_LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/**
 * What delivery tells of every digest run, whatever started it (the scheduler, a live batch, /digest now), as metrics:
 * how late it was claimed, by the process that claimed it, and how it ended. A run is posted or given up once.
 */
export function runMetrics(metrics: Metrics): RunObserver {
  return {
    claimed: (run) => metrics.claimLag((run.createdAt.getTime() - run.slot.getTime()) / 1000),
    finished: (outcome) => {
      if (outcome.status === 'posted') metrics.digestPosted();
      if (outcome.failure) metrics.digestFailed(outcome.failure);
    },
  };
}

export function createMetrics(labels: ProcessLabels): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ ...labels });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const posted = new Counter({ name: 'newsdesk_digests_posted_total', help: 'Digest runs posted in full', registers });
  const failed = new Counter({ name: 'newsdesk_digests_failed_total', help: 'Digest runs given up, by reason', labelNames: ['reason'], registers });
  const limited = new Counter({ name: 'newsdesk_discord_429_total', help: 'Requests Discord answered with 429, by scope', labelNames: ['scope'], registers });
  const lag = new Histogram({ name: 'newsdesk_claim_lag_seconds', help: 'Seconds from a run\'s slot to its claim', buckets: CLAIM_LAG_BUCKETS, registers });
  const shardLatency = new Gauge({ name: 'newsdesk_shard_latency_seconds', help: 'Gateway heartbeat round trip, per shard', labelNames: ['shard'], registers });
  const library = new Gauge({ name: 'newsdesk_library_articles', help: 'Articles in the library', registers });
  // Each labelled series from zero, so a dashboard's rate() sees the first event rather than a series appearing.
  for (const reason of ['plan_failed', 'channel_refused'] satisfies DigestFailure[]) failed.inc({ reason }, 0);
  for (const scope of ['global', 'route'] satisfies RateLimitScope[]) limited.inc({ scope }, 0);

  return {
    digestPosted: () => posted.inc(),
    digestFailed: (reason) => failed.inc({ reason }),
    rateLimited: (scope) => limited.inc({ scope }),
    // Clocks of several machines disagree a little: a claim "before" its slot is no lag.
    claimLag: (seconds) => lag.observe(Math.max(0, seconds)),
    setShardLatency: (shardId, seconds) => {
      if (seconds >= 0) shardLatency.set({ shard: String(shardId) }, seconds);
    },
    setLibrarySize: (articles) => library.set(articles),
    exposition: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
