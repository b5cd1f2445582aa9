// Run leases on one SQLite file shared by two stores, as two processes share a database: a run is sent only by the
// process leasing it, a lease that expires (its process died) is taken over, and the process that lost it can no
// longer record anything for the run. Both stores read one test clock, so "later" is a clock step, not a wait.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { createLogger } from '../src/log.js';
import { EVERY_DAY } from '../src/schedule/days.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import { LeaseLostError } from '../src/state/stateStore.js';
import type { PlannedMessage, RunTarget } from '../src/state/types.js';
import { TestClock } from './helpers/clock.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-leases-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const logger = createLogger('silent');
const LEASE_MS = 30_000;
const SLOT = new Date('2026-05-04T07:00:00Z');
let files = 0;

const plan: PlannedMessage[] = [1, 2, 3].map((n) => ({ payload: { content: `part ${n}` }, storyUrls: [`https://example.com/${n}`], storyCount: 1 }));

/** Two stores on one new file, leasing as processes "A" and "B", and the digest both see. */
async function twoProcesses(): Promise<{ a: SqliteStore; b: SqliteStore; clock: TestClock; target: RunTarget; close(): Promise<void> }> {
  const file = path.join(dir, `shared-${++files}.sqlite`);
  const clock = new TestClock(SLOT);
  const a = SqliteStore.open(file, { logger, clock, lease: { owner: 'host-a:101:aaaa', leaseMs: LEASE_MS } });
  const b = SqliteStore.open(file, { logger, clock, lease: { owner: 'host-b:202:bbbb', leaseMs: LEASE_MS } });
  const digest = await a.saveSubscription({ name: 'Daily', channelId: '100000000000000001', guildId: '900000000000000001', kind: 'scheduled', time: '07:00', days: EVERY_DAY, timezone: 'UTC', settings: DEFAULT_DIGEST_SETTINGS, mentionRoleId: null });
  return { a, b, clock, target: { subscriptionId: digest.id, channelId: digest.channelId }, close: async () => { await a.close(); await b.close(); } };
}

const later = (clock: TestClock, ms: number) => clock.set(new Date(clock.now().getTime() + ms));

test('a claimed run is leased to its claimer: another process can neither take it nor write for it until the lease expires; then it takes it over, and the first can write nothing more', async () => {
  const { a, b, clock, target, close } = await twoProcesses();
  const claimed = (await a.claimRun(target, SLOT, plan))!;
  assert.equal(claimed.leaseOwner, 'host-a:101:aaaa');
  assert.deepEqual(claimed.leaseUntil, new Date(SLOT.getTime() + LEASE_MS));
  assert.equal(await b.claimRun(target, SLOT, plan), undefined, 'the slot is claimed once, whichever process asks');

  // A sends its first message; B sees the run pending but may not touch it.
  await a.markAttempted(claimed.id, 0);
  await a.recordSent(claimed.id, 0, 'message-1');
  assert.deepEqual((await b.pendingRuns()).map((r) => [r.id, r.leaseOwner]), [[claimed.id, 'host-a:101:aaaa']]);
  assert.equal(await b.takeRun(claimed.id), undefined, 'A holds the lease');
  assert.equal(await b.renewLease(claimed.id), false);
  await assert.rejects(b.markAttempted(claimed.id, 1), LeaseLostError);
  await assert.rejects(b.recordSent(claimed.id, 1, 'intruder'), LeaseLostError);
  await assert.rejects(b.setRunOutcome(claimed.id, 'failed', 'failed: not mine'), LeaseLostError);

  // A renews while it sends; a lease expired but not taken over is still A's.
  later(clock, LEASE_MS / 2);
  assert.equal(await a.renewLease(claimed.id), true);
  assert.deepEqual((await a.getRun(claimed.id))!.leaseUntil, new Date(clock.now().getTime() + LEASE_MS));
  later(clock, LEASE_MS + 1);
  await a.markAttempted(claimed.id, 1);

  // A went quiet past its lease: B takes the run over, and from then on A's writes are refused.
  const taken = (await b.takeRun(claimed.id))!;
  assert.equal(taken.leaseOwner, 'host-b:202:bbbb');
  assert.deepEqual(taken.leaseUntil, new Date(clock.now().getTime() + LEASE_MS));
  assert.equal(await a.takeRun(claimed.id), undefined, 'B holds it now');
  assert.equal(await a.renewLease(claimed.id), false);
  await assert.rejects(a.recordSent(claimed.id, 1, 'late-answer'), LeaseLostError);
  await assert.rejects(a.markAttempted(claimed.id, 2), LeaseLostError);
  await assert.rejects(a.setRunOutcome(claimed.id, 'posted', 'posted 3 messages'), LeaseLostError);

  // B finishes: what A posted stays recorded, the rest is B's, and the outcome releases the lease.
  const messages = await b.runMessages(claimed.id);
  assert.deepEqual(messages.map((m) => [m.messageId, m.attemptedAt !== null]), [['message-1', true], [null, true], [null, false]], 'A\'s interrupted message 2 is marked attempted, for B to look for in the channel');
  await b.recordSent(claimed.id, 1, 'message-2');
  await b.markAttempted(claimed.id, 2);
  await b.recordSent(claimed.id, 2, 'message-3');
  await b.setRunOutcome(claimed.id, 'posted', 'posted 3 messages with 3 stories');
  const done = (await a.getRun(claimed.id))!;
  assert.deepEqual([done.status, done.leaseOwner, done.leaseUntil], ['posted', null, null]);
  assert.deepEqual((await a.runMessages(claimed.id)).map((m) => m.messageId), ['message-1', 'message-2', 'message-3']);
  assert.deepEqual([...(await a.seenUrls(target.channelId))].sort(), ['https://example.com/1', 'https://example.com/2', 'https://example.com/3'], 'each story recorded once');
  assert.deepEqual(await b.pendingRuns(), []);
  await close();
});

test('a run left pending releases its lease for any process; a closed slot and an empty plan hold none; closing a store expires its leases at once', async () => {
  const { a, b, clock, target, close } = await twoProcesses();
  const run = (await a.claimRun(target, SLOT, plan))!;
  await a.setRunOutcome(run.id, 'sending', 'pending: Discord answered 503; the rest will be sent on the next attempt');
  assert.deepEqual([(await b.getRun(run.id))!.leaseOwner, (await b.getRun(run.id))!.leaseUntil], [null, null]);
  assert.equal((await b.takeRun(run.id))?.leaseOwner, 'host-b:202:bbbb', 'released: the next attempt may be any process\'s');

  const skipped = (await a.closeSlot(target, new Date(SLOT.getTime() + 86_400_000), 'skipped', 'skipped: missed'))!;
  assert.deepEqual([skipped.status, skipped.leaseOwner], ['skipped', null]);
  const empty = (await a.claimRun(target, new Date(SLOT.getTime() + 2 * 86_400_000), { empty: 'nothing new' }))!;
  assert.deepEqual([empty.status, empty.leaseOwner], ['empty', null]);
  assert.equal(await a.takeRun(empty.id), undefined, 'a finished run is not taken');

  // B stops (a deploy) while it holds the run: A may take it over without waiting for the lease.
  await b.close();
  later(clock, 1);
  assert.equal((await a.takeRun(run.id))?.leaseOwner, 'host-a:101:aaaa');
  await close();
});

test('the process holding the database lock releases the leases of the processes before it: its restart finishes their runs at once', async () => {
  const { a, target, close } = await twoProcesses();
  const run = (await a.claimRun(target, SLOT, plan))!;
  const file = a.location;
  await close();
  // close() expired A's lease; a SIGKILL would have left it running: put it back as a crash leaves it.
  const crashed = SqliteStore.open(file, { logger, clock: new TestClock(SLOT), lease: { owner: 'host-a:101:aaaa', leaseMs: LEASE_MS } });
  assert.ok(await crashed.takeRun(run.id));
  const sole = SqliteStore.open(file, { logger, clock: new TestClock(SLOT), soleProcess: true });
  assert.equal((await sole.takeRun(run.id))?.leaseOwner, sole.lease.owner);
  assert.match(sole.lease.owner, new RegExp(`^${os.hostname()}:${process.pid}:[0-9a-f]{8}$`), 'host, pid and a random part');
  await sole.close();
  await crashed.close();
});

test('eligibility shared by two processes: the earliest sighting of a story wins', async () => {
  const { a, b, clock, close } = await twoProcesses();
  await a.updateEligibility(new Map([['https://example.com/early', SLOT.getTime()]]), []);
  later(clock, 60_000);
  await b.updateEligibility(new Map([['https://example.com/early', clock.now().getTime()], ['https://example.com/other', clock.now().getTime()]]), []);
  assert.deepEqual([...(await a.eligibility())].sort(), [['https://example.com/early', SLOT.getTime()], ['https://example.com/other', clock.now().getTime()]]);
  await close();
});
