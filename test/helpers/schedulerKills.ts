// Scheduler processes SIGKILLed one after another mid-digest, each at a seeded point, always the one that has been
// running longest, a fresh one started in the place of each but the last; then the proof that every run a killed
// process held was taken over and posted within the lease and a takeover sweep (plus a margin), as README promises.
import assert from 'node:assert/strict';
import os from 'node:os';
import type pg from 'pg';
import type { DiscordSandbox } from '../../src/sandbox/server.js';
import type { BotProcess } from './botProcess.js';

export interface SchedulerKill {
  victim: BotProcess;
  /** The sandbox's count of bot messages when the victim was killed. */
  afterMessages: number;
  /** When it was killed (this machine's clock, which the processes record runs by). */
  at: number;
  /** The runs it held a lease on when it died. */
  held: Promise<string[]>;
}

export interface SchedulerKills {
  /** Bot messages the sandbox has received so far. */
  received(): number;
  kills: SchedulerKill[];
  /** The schedulers not killed, oldest first. */
  alive(): BotProcess[];
  stop(): void;
}

// A scheduler is killed this many messages (1 to MAX_OFFSET, seeded) after it finished a run (and the previous kill
// was made): its lanes have claimed digests by then and are sending them.
const MAX_OFFSET = 120;

/**
 * Starts schedulers 0 and 1 with `start`, then `count` times SIGKILLs the one running longest the seeded number of
 * messages after it finished a run, starting scheduler n + 2 in its place but after the last kill. Killing the oldest
 * keeps the kills inside the delivery: a fresh process starts only while the other sends. `random` draws every point
 * up front, so a seed repeats them.
 */
export function killSchedulersMidDigest(sandbox: DiscordSandbox, db: pg.Pool, random: () => number, count: number, start: (n: number) => BotProcess): SchedulerKills {
  const offsets = Array.from({ length: count }, () => 1 + Math.floor(random() * MAX_OFFSET));
  console.log(`# the oldest scheduler killed ${offsets.join(', ')} messages after it finished a run`);
  const kills: SchedulerKill[] = [];
  const alive: BotProcess[] = [];
  let received = 0;
  let armed: { victim: BotProcess; killAt: number } | undefined;
  const arm = () => {
    const victim = alive[0]!;
    victim.waitFor(/"event":"digest\.run"/, 'a finished run')
      .then(() => { armed = { victim, killAt: received + offsets[kills.length]! }; })
      .catch(() => undefined);
  };
  // The listener is in place before any scheduler has loaded its articles, so it sees every message.
  const stop = sandbox.onMessage(() => {
    received += 1;
    if (!armed || received < armed.killAt) return;
    const { victim } = armed;
    armed = undefined;
    const at = Date.now();
    victim.child.kill('SIGKILL');
    alive.shift();
    const held = heldRuns(db, victim);
    // Awaited by the checks; a test failing before them leaves no unhandled rejection.
    held.catch(() => undefined);
    kills.push({ victim, afterMessages: received, at, held });
    if (kills.length === count) return;
    alive.push(start(kills.length + 1));
    arm();
  });
  alive.push(start(0), start(1));
  arm();
  return { received: () => received, kills, alive: () => [...alive], stop };
}

// Read at once: a run is taken over only once its lease expires, and a sender renews it before each message once half
// of it has passed, so that is about half a lease after the kill at the soonest. The dead process leases nothing new,
// so no run is counted as its wrongly. The owner names the process's host and pid (src/state/lease.ts).
async function heldRuns(db: pg.Pool, victim: BotProcess): Promise<string[]> {
  const owner = `${os.hostname()}:${victim.child.pid}:`;
  const rows = await db.query<{ id: string }>(`SELECT id FROM runs WHERE status = 'sending' AND starts_with(lease_owner, $1)`, [owner]);
  return rows.rows.map((row) => row.id);
}

/**
 * Each kill happened mid-digest (the victim died by SIGKILL holding runs), and every run a victim held was posted at
 * most `boundMs` after it was killed, by the run's record in PostgreSQL. A run taken over by a fresh victim and held
 * again when that one died is counted from the later kill.
 */
export async function assertTakenOverWithin(db: pg.Pool, kills: readonly SchedulerKill[], boundMs: number, why: string): Promise<string> {
  const held = await Promise.all(kills.map((kill) => kill.held));
  const lastHolder = new Map<string, number>();
  for (const [n, kill] of kills.entries()) {
    assert.equal(await kill.victim.exited, null, `scheduler ${n} died by SIGKILL, not by finishing`);
    assert.ok(held[n]!.length > 0, `scheduler ${n}, killed after ${kill.afterMessages} messages, held runs (it was killed mid-digest)`);
    for (const id of held[n]!) lastHolder.set(id, n);
  }
  const runs = (await db.query<{ id: string; status: string; finished_at: string | null }>(
    'SELECT id, status, finished_at FROM runs WHERE id = ANY($1)', [[...lastHolder.keys()]])).rows;
  const latest = kills.map(() => 0);
  for (const run of runs) {
    const n = lastHolder.get(run.id)!;
    assert.equal(run.status, 'posted', `run ${run.id}, held by scheduler ${n} when it was killed, was posted`);
    const after = Number(run.finished_at) - kills[n]!.at;
    assert.ok(after <= boundMs, `run ${run.id}, held by scheduler ${n}, was posted ${(after / 1000).toFixed(1)} s after that was killed: ${why}`);
    latest[n] = Math.max(latest[n]!, after);
  }
  return kills.map((kill, n) => `scheduler ${n} killed after ${kill.afterMessages} messages holding ${held[n]!.length} runs, the last posted ${(latest[n]! / 1000).toFixed(1)} s later`).join('; ');
}
