// What the cluster benchmark's trials share: subscriptions due at one coming minute, seeded straight into a store, and
// scheduler processes (src/main.ts with NEWSDESK_ROLE=scheduler, as the multi-process test starts them) that are
// running before that minute comes, so their timers fire it as they would in production.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StateStore } from '../../src/state/stateStore.js';
import type { DiscordSandbox } from '../../src/sandbox/server.js';
import { startBotProcess, type BotProcess } from '../../test/helpers/botProcess.js';
import { subscribe } from '../../test/helpers/subscriptions.js';

const MINUTE_MS = 60_000;

/** The first whole minute at least `leadMs` from now: time enough for the processes to start before it. */
export function nextSlot(leadMs: number): Date {
  return new Date(Math.ceil((Date.now() + leadMs) / MINUTE_MS) * MINUTE_MS);
}

/**
 * One daily digest per channel at `slot`'s time (UTC), as set up by a store whose clock says an hour ago: the slot
 * is owed (it comes after the setup), and yesterday's is not.
 */
export async function subscribeAll(store: StateStore, channels: readonly { channelId: string; guildId: string }[], slot: Date): Promise<void> {
  const time = slot.toISOString().slice(11, 16);
  for (const channel of channels) await subscribe(store, { ...channel, time });
}

/** The store's clock for subscribeAll. */
export const anHourAgo = () => ({ now: () => new Date(Date.now() - 60 * MINUTE_MS) });

export interface SchedulerSetup {
  sandbox: DiscordSandbox;
  databaseUrl: string;
  /** DISCORD_API_URL: the REST proxy's. */
  apiUrl: string;
  contentDir: string;
  /** Shared by the processes: they read the same caches (each writes them through a file of its own and a rename). */
  dataDir: string;
  /** Where each process's own folder goes. */
  work: string;
}

/** `count` scheduler processes, resolved once each has started its schedule. */
export async function startSchedulers(count: number, setup: SchedulerSetup): Promise<BotProcess[]> {
  const processes = Array.from({ length: count }, (_, n) =>
    startBotProcess(setup.sandbox, path.join(setup.work, `scheduler-${n}`), {
      NEWSDESK_ROLE: 'scheduler', DATABASE_URL: setup.databaseUrl, DISCORD_API_URL: setup.apiUrl,
      CONTENT_DIR: setup.contentDir, DATA_DIR: setup.dataDir,
    }));
  await Promise.all(processes.map((p) => p.started));
  return processes;
}

/** SIGTERM to each (a clean shutdown), waiting for every exit. */
export async function stopAll(processes: readonly BotProcess[]): Promise<void> {
  for (const p of processes) p.child.kill('SIGTERM');
  await Promise.all(processes.map((p) => p.exited));
}

/**
 * From a process's log: the runs it posted, and the digests it planned for nothing because the other process claimed
 * them first (a run found claimed before planning costs a look-up only, and is not counted).
 */
export function runCounts(stderr: string): { posted: number; wasted: number } {
  const runs = stderr.split('\n').filter((line) => line.includes('"event":"digest.run"'));
  return {
    posted: runs.filter((line) => line.includes('"status":"posted"')).length,
    wasted: runs.filter((line) => line.includes('"summary":"claimed by another process"')).length,
  };
}

export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

/** Waits until `slot` has come, when it is still ahead. */
export async function untilPast(slot: Date): Promise<void> {
  const ahead = slot.getTime() - Date.now();
  if (ahead > 0) await sleep(ahead);
}
