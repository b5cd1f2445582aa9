import type { Config } from '../config.js';
import type { ProcessLabels } from './metrics.js';
import { formatShardIds } from './shardIds.js';

/**
 * Who this process is among several: its role and shard ids, for every log line (`logger.child(…)`) and as the
 * default labels of its metrics.
 */
export function processLabels(config: Pick<Config, 'role' | 'shards'>): ProcessLabels {
  return { role: config.role, shards: config.shards ? formatShardIds(config.shards.ids) : 'none' };
}
