// SQLite rows as stored (snake_case, times as epoch milliseconds, JSON text) and their reading into state types.
import { DEFAULT_DIGEST_SETTINGS } from '../digest/settings.js';
import type { DigestSettings } from '../digest/settings.js';
import { readWeekdays } from '../schedule/days.js';
import type { DigestKind, RunRecord, RunStatus, Subscription } from './types.js';

export interface SubscriptionRow {
  id: number;
  name: string;
  channel_id: string;
  guild_id: string;
  kind: DigestKind;
  time: string;
  days: string;
  timezone: string;
  settings: string;
  mention_role_id: string | null;
  publish: number;
  paused: number;
  paused_reason: string | null;
  last_run_at: number | null;
  last_result: string | null;
  created_at: number;
  updated_at: number;
}

export interface RunRow {
  id: number;
  subscription_id: number | null;
  channel_id: string;
  slot: number;
  status: RunStatus;
  outcome: string | null;
  created_at: number;
  finished_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
}

export interface RunMessageRow {
  idx: number;
  payload: string;
  story_urls: string;
  story_count: number;
  message_id: string | null;
  attempted_at: number | null;
}

export const dateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

// Settings stored by an older version lack the fields added since; they take the defaults. The since-last window
// once carried its own age limit, which the schedule now decides.
function readSettings(json: string): DigestSettings {
  const settings = { ...DEFAULT_DIGEST_SETTINGS, ...(JSON.parse(json) as Partial<DigestSettings>) };
  return settings.window.kind === 'since-last' ? { ...settings, window: { kind: 'since-last' } } : settings;
}

export function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    name: row.name,
    channelId: row.channel_id,
    guildId: row.guild_id,
    kind: row.kind,
    time: row.time,
    days: readWeekdays(JSON.parse(row.days)),
    timezone: row.timezone,
    settings: readSettings(row.settings),
    mentionRoleId: row.mention_role_id,
    publish: row.publish === 1,
    paused: row.paused === 1,
    pausedReason: row.paused_reason,
    lastRunAt: dateOrNull(row.last_run_at),
    lastResult: row.last_result,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    channelId: row.channel_id,
    slot: new Date(row.slot),
    status: row.status,
    outcome: row.outcome,
    createdAt: new Date(row.created_at),
    finishedAt: dateOrNull(row.finished_at),
    leaseOwner: row.lease_owner,
    leaseUntil: dateOrNull(row.lease_until),
  };
}
