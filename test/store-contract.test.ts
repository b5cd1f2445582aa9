// The StateStore contract, one suite run against each implementation: SQLite (a temp file) and PostgreSQL (a fresh
// database on NEWSDESK_TEST_DATABASE_URL's server, skipped with the reason when there is none). Two stores with
// different lease owners on one database stand for two processes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { EVERY_DAY } from '../src/schedule/days.js';
import { LeaseLostError, NameTakenError, PlanOutdatedError, ServerFullError } from '../src/state/stateStore.js';
import type { StateStore } from '../src/state/stateStore.js';
import type { PlannedMessage, RunTarget, SubscriptionInput } from '../src/state/types.js';
import { TestClock } from './helpers/clock.js';
import { LEASE_MS, storeBackends as backends } from './helpers/storeBackends.js';

const START = '2026-03-01T10:00:00.000Z';
const slot = (hour: number) => new Date(Date.UTC(2026, 2, 1, hour));

const input = (over: Partial<SubscriptionInput> = {}): SubscriptionInput => ({
  name: 'Morning',
  kind: 'scheduled',
  days: EVERY_DAY,
  channelId: '100000000000000001',
  guildId: '900000000000000001',
  time: '08:30',
  timezone: 'Europe/Paris',
  settings: { ...DEFAULT_DIGEST_SETTINGS, size: 3 },
  mentionRoleId: null,
  ...over,
});

const message = (urls: string[]): PlannedMessage => ({ payload: { content: urls.join(' ') }, storyUrls: urls, storyCount: urls.length });

for (const backend of backends) {
  describe(`StateStore contract: ${backend.name}`, () => {
    /** One store (or more), the test clock, and a first digest with its run target. */
    async function setUp(t: TestContext, owners = ['process-a']) {
      const clock = new TestClock(START);
      const stores = await backend.open(t, clock, owners);
      if (!stores) return undefined;
      const sub = await stores[0]!.saveSubscription(input());
      const target: RunTarget = { subscriptionId: sub.id, channelId: sub.channelId };
      return { clock, stores, store: stores[0]!, sub, target };
    }

    test('subscriptions are saved, listed oldest first, found by name with case ignored, and a name is one digest per server', async (t) => {
      const s = await setUp(t);
      if (!s) return;
      const { store, sub, clock } = s;
      assert.equal(sub.name, 'Morning');
      assert.equal(sub.publish, false);
      assert.deepEqual(sub.createdAt, new Date(START));
      clock.set('2026-03-01T10:01:00Z');
      const evening = await store.saveSubscription(input({ name: 'Evening', channelId: '100000000000000002', publish: true }));
      const elsewhere = await store.saveSubscription(input({ name: 'MORNING', guildId: '900000000000000002' }));
      assert.deepEqual((await store.listSubscriptions()).map((x) => x.id), [sub.id, evening.id, elsewhere.id]);
      assert.deepEqual((await store.listSubscriptions({ guildId: sub.guildId })).map((x) => x.name), ['Morning', 'Evening']);
      assert.deepEqual((await store.listSubscriptions({ channelId: '100000000000000002' })).map((x) => x.id), [evening.id]);
      assert.equal((await store.findSubscriptionByName(sub.guildId, 'mOrNiNg'))?.id, sub.id);
      assert.equal(await store.findSubscriptionByName(sub.guildId, 'Noon'), undefined);
      await assert.rejects(store.saveSubscription(input({ name: 'EVENING' })), (error: unknown) => error instanceof NameTakenError && error.holder.id === evening.id);
      await assert.rejects(store.saveSubscription(input({ name: 'evening' }), sub.id), NameTakenError, 'renaming onto another digest is refused too');
      const renamed = await store.saveSubscription(input({ name: 'MORNING', time: '09:00' }), sub.id);
      assert.equal(renamed.name, 'MORNING', 'a digest may change the case of its own name');
      assert.equal(renamed.time, '09:00');
      assert.equal(renamed.publish, false);
      assert.equal((await store.saveSubscription(input({ name: 'Evening', channelId: '100000000000000002' }), evening.id)).publish, true, 'publish left out keeps it');
      assert.equal(await store.removeSubscription(evening.id), true);
      assert.equal(await store.removeSubscription(evening.id), false);
      assert.equal(await store.getSubscription(evening.id), undefined);
      assert.ok(await store.saveSubscription(input({ name: 'Evening' })), 'a removed digest frees its name');
    });

    test('a server\'s digests are counted and saved as one step: 40 new ones at once from two processes make exactly the most it may hold', async (t) => {
      const s = await setUp(t, ['process-a', 'process-b']);
      if (!s) return;
      const [a, b] = s.stores as [StateStore, StateStore];
      const MAX = 25;
      const guildId = '900000000000000009';
      const saves = Array.from({ length: 40 }, (_, n) =>
        (n % 2 ? b : a).saveSubscription(input({ name: `Digest ${n}`, guildId, channelId: `1000000000000001${String(n).padStart(2, '0')}` }), undefined, { maxPerServer: MAX }));
      const results = await Promise.allSettled(saves);
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      assert.equal(results.length - refused.length, MAX);
      assert.equal((await a.listSubscriptions({ guildId })).length, MAX, 'never one too many');
      for (const error of refused) assert.ok(error instanceof ServerFullError && error.count === MAX, String(error));
      const [first] = await b.listSubscriptions({ guildId });
      assert.equal((await a.saveSubscription(input({ name: first!.name, guildId, time: '06:00' }), first!.id, { maxPerServer: MAX })).time, '06:00', 'a full server\'s digests may still change');
      assert.ok(await b.saveSubscription(input({ name: 'Elsewhere' }), undefined, { maxPerServer: MAX }), 'another server has room of its own');
    });

    test('a pause is kept only when asked, a resume clears its reason, and saving identical values changes nothing', async (t) => {
      const s = await setUp(t);
      if (!s) return;
      const { store, sub, clock } = s;
      clock.set('2026-03-01T11:00:00Z');
      assert.deepEqual(await store.saveSubscription(input(), sub.id), sub, 'identical values leave it as it was, updatedAt included');
      assert.equal(await store.setPaused(sub.id, true, 'the channel is gone'), true);
      assert.equal(await store.setPaused(9_999, true), false);
      let now = await store.getSubscription(sub.id);
      assert.equal(now?.paused, true);
      assert.equal(now?.pausedReason, 'the channel is gone');
      assert.deepEqual(now?.updatedAt, new Date('2026-03-01T11:00:00Z'));
      now = await store.saveSubscription(input({ time: '07:00' }), sub.id, { keepPause: true });
      assert.equal(now.paused, true, 'keepPause edits the settings only');
      assert.equal(now.pausedReason, 'the channel is gone');
      now = await store.saveSubscription(input({ time: '07:00' }), sub.id);
      assert.equal(now.paused, false, 'setting a digest up again resumes it');
      assert.equal(now.pausedReason, null);
      await store.setPaused(sub.id, true, 'no permission');
      assert.equal(await store.setPaused(sub.id, false, 'ignored'), true);
      assert.equal((await store.getSubscription(sub.id))?.pausedReason, null);
    });

    test('eligibility starts empty, keeps the first sighting recorded of a story and forgets a story no longer published', async (t) => {
      const s = await setUp(t);
      if (!s) return;
      const { store } = s;
      assert.equal(await store.eligibilityStarted(), false);
      assert.deepEqual(await store.eligibility(), new Map());
      await store.updateEligibility(new Map([['https://a', 1_000], ['https://b', 2_000]]), []);
      assert.equal(await store.eligibilityStarted(), true);
      // Another process saw them too, later or (its clock, its timing) earlier: what was recorded first stands.
      await store.updateEligibility(new Map([['https://a', 5_000], ['https://b', 1_500], ['https://c', 3_000]]), []);
      assert.deepEqual(await store.eligibility(), new Map([['https://a', 1_000], ['https://b', 2_000], ['https://c', 3_000]]));
      await store.updateEligibility(new Map(), ['https://a']);
      assert.deepEqual(await store.eligibility(), new Map([['https://b', 2_000], ['https://c', 3_000]]));
      await store.updateEligibility(new Map([['https://a', 9_000]]), []);
      assert.equal((await store.eligibility()).get('https://a'), 9_000, 'a story published again is eligible from then');
      assert.equal(await store.eligibilityStarted(), true, 'an empty library stays dated');
    });

    test('a slot is claimed once with its whole plan, and a second process finds it taken', async (t) => {
      const s = await setUp(t, ['process-a', 'process-b']);
      if (!s) return;
      const [a, b] = s.stores as [StateStore, StateStore];
      const plan = [message(['https://1', 'https://2']), message(['https://3'])];
      const run = await a.claimRun(s.target, slot(8), plan);
      assert.ok(run);
      assert.equal(run.status, 'sending');
      assert.equal(run.subscriptionId, s.sub.id);
      assert.deepEqual(run.slot, slot(8));
      assert.equal(run.leaseOwner, 'process-a', 'a claimed run is leased to its claimer');
      assert.deepEqual(run.leaseUntil, new Date(Date.parse(START) + LEASE_MS));
      assert.equal(await b.claimRun(s.target, slot(8), plan), undefined);
      assert.equal(await a.claimRun(s.target, slot(8), plan), undefined);
      assert.deepEqual((await b.findRun(s.sub.id, slot(8)))?.id, run.id);
      assert.deepEqual((await b.runMessages(run.id)).map((m) => [m.index, m.storyUrls, m.storyCount, m.messageId, m.attemptedAt]),
        [[0, ['https://1', 'https://2'], 2, null, null], [1, ['https://3'], 1, null, null]]);
      assert.deepEqual((await b.runMessages(run.id))[0]?.payload, { content: 'https://1 https://2' });
    });

    test('a channel\'s claims are checked one at a time: a plan holding a story the channel was sent, or another unfinished run of it planned, is refused whole', async (t) => {
      const s = await setUp(t, ['process-a', 'process-b']);
      if (!s) return;
      const [a, b] = s.stores as [StateStore, StateStore];
      const evening = await a.saveSubscription(input({ name: 'Evening' }));
      const second: RunTarget = { subscriptionId: evening.id, channelId: evening.channelId };
      const outdated = (urls: string[]) => (error: unknown) => {
        assert.ok(error instanceof PlanOutdatedError, `refused as outdated: ${String(error)}`);
        assert.deepEqual([...error.urls].sort(), urls, 'the refusal names the stories');
        return true;
      };

      // Two digests of the channel planned with the same stories, claimed at once by two processes: one plan is stored.
      const raced = await Promise.allSettled([a.claimRun(s.target, slot(8), [message(['https://1', 'https://2'])]), b.claimRun(second, slot(8), [message(['https://2', 'https://1'])])]);
      const stored = raced.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
      assert.equal(stored.length, 1, 'one of the two claims is stored');
      const refused = raced.find((r) => r.status === 'rejected');
      assert.ok(refused && outdated(['https://1', 'https://2'])(refused.reason), 'the other is refused');
      const [won, lost] = stored[0]!.subscriptionId === s.sub.id ? [s.target, second] : [second, s.target];
      assert.equal(await a.findRun(lost.subscriptionId, slot(8)), undefined, 'the refused claim wrote nothing');
      assert.deepEqual(await b.plannedUrls(s.target.channelId), new Set(['https://1', 'https://2']));

      // Planned again without them, the same slot is claimed.
      await assert.rejects(b.claimRun(lost, slot(8), [message(['https://3']), message(['https://2'])]), outdated(['https://2']), 'one story of many is enough');
      const rest = (await b.claimRun(lost, slot(8), [message(['https://3'])]))!;
      assert.equal(rest.status, 'sending');
      const elsewhere = await a.saveSubscription(input({ name: 'Elsewhere', channelId: '100000000000000002' }));
      assert.ok(await a.claimRun({ subscriptionId: elsewhere.id, channelId: elsewhere.channelId }, slot(8), [message(['https://1'])]), 'another channel may carry the same story');

      // Sent stories stay refused; those of a run given up are free again; an empty plan carries none.
      // By the process that won the race: only a run's leaseholder records it.
      const first = stored[0]!;
      const owner = first.leaseOwner === 'process-a' ? a : b;
      await owner.recordSent(first.id, 0, '700000000000000001');
      await owner.setRunOutcome(first.id, 'posted', 'posted 1 message');
      await assert.rejects(b.claimRun(won, slot(9), [message(['https://1'])]), outdated(['https://1']), 'a story the channel was sent');
      await b.setRunOutcome(rest.id, 'failed', 'failed: gave up');
      assert.ok(await b.claimRun(won, slot(9), [message(['https://3'])]), 'a story of a run given up may be planned again');
      assert.equal((await a.claimRun(lost, slot(9), { empty: 'nothing new' }))?.status, 'empty');
    });

    test('the runs of many slots are found in one look-up: those that exist, none for the others', async (t) => {
      const s = await setUp(t);
      if (!s) return;
      const { store, target, sub } = s;
      const posted = (await store.claimRun(target, slot(8), [message(['https://1'])]))!;
      const skipped = (await store.closeSlot(target, slot(6), 'skipped', 'skipped: missed'))!;
      const found = await store.findRuns([slot(6), slot(7), slot(8), slot(9)].map((at) => ({ subscriptionId: sub.id, slot: at })));
      assert.deepEqual(found.map((run) => run.id).sort(), [posted.id, skipped.id].sort());
      assert.deepEqual(found.find((run) => run.id === skipped.id)?.slot, slot(6));
      assert.deepEqual(await store.findRuns([{ subscriptionId: sub.id + 1, slot: slot(8) }]), [], 'another digest\'s slot is not this one\'s');
      assert.deepEqual(await store.findRuns([]), []);
    });

    test('an empty plan closes its run at once, releases it and shows why as the last result', async (t) => {
      const s = await setUp(t);
      if (!s) return;
      const run = await s.store.claimRun(s.target, slot(8), { empty: 'no new stories' });
      assert.equal(run?.status, 'empty');
      assert.equal(run?.outcome, 'empty: no new stories');
      assert.equal(run?.leaseOwner, null);
      assert.deepEqual(run?.finishedAt, new Date(START));
      assert.deepEqual(await s.store.pendingRuns(), []);
      const sub = await s.store.getSubscription(s.sub.id);
      assert.equal(sub?.lastResult, 'empty: no new stories');
      assert.deepEqual(sub?.lastRunAt, new Date(START));
    });

    test('a closed slot is recorded once and is never claimed afterwards', async (t) => {
      const s = await setUp(t);
      if (!s) return;
      const closed = await s.store.closeSlot(s.target, slot(6), 'skipped', 'skipped: missed by 3 hours');
      assert.equal(closed?.status, 'skipped');
      assert.equal(closed?.outcome, 'skipped: missed by 3 hours');
      assert.equal(await s.store.closeSlot(s.target, slot(6), 'failed', 'again'), undefined);
      assert.equal(await s.store.claimRun(s.target, slot(6), [message(['https://x'])]), undefined);
      assert.equal((await s.store.getSubscription(s.sub.id))?.lastResult, 'skipped: missed by 3 hours');
    });

    test('seen and planned URLs follow what was sent, and the last planned time counts only runs that considered stories', async (t) => {
      const s = await setUp(t);
      if (!s) return;
      const { store, clock, target } = s;
      const run = (await store.claimRun(target, slot(8), [message(['https://1', 'https://2']), message(['https://3'])]))!;
      assert.deepEqual(await store.plannedUrls(target.channelId), new Set(['https://1', 'https://2', 'https://3']));
      assert.deepEqual(await store.seenUrls(target.channelId), new Set());
      await store.markAttempted(run.id, 0);
      clock.set('2026-03-01T10:00:05Z');
      await store.markAttempted(run.id, 0);
      assert.deepEqual((await store.runMessages(run.id))[0]?.attemptedAt, new Date(START), 'the first attempt is the one kept');
      await store.recordSent(run.id, 0, '700000000000000001');
      assert.deepEqual(await store.seenUrls(target.channelId), new Set(['https://1', 'https://2']));
      assert.deepEqual(await store.plannedUrls(target.channelId), new Set(['https://3']));
      assert.equal((await store.runMessages(run.id))[0]?.messageId, '700000000000000001');
      await assert.rejects(store.recordSent(run.id, 5, '700000000000000002'), /no message 5/);
      assert.deepEqual(await store.plannedUrls('100000000000000009'), new Set(), 'per channel');

      assert.equal(await store.lastPlannedAt(target.subscriptionId, slot(8)), null, 'only runs before the slot count');
      assert.deepEqual(await store.lastPlannedAt(target.subscriptionId, slot(20)), new Date(START));
      clock.set('2026-03-01T12:00:00Z');
      await store.closeSlot(target, slot(12), 'failed', 'failed: no channel');
      assert.deepEqual(await store.lastPlannedAt(target.subscriptionId, slot(20)), new Date(START), 'a failed run considered nothing');
      await store.setRunOutcome(run.id, 'posted', 'posted 2 message(s)');
      assert.deepEqual(await store.plannedUrls(target.channelId), new Set(), 'a finished run plans nothing more');
    });

    test('pending runs are every unfinished run, oldest slot first, whoever leases them', async (t) => {
      const s = await setUp(t, ['process-a', 'process-b']);
      if (!s) return;
      const [a, b] = s.stores as [StateStore, StateStore];
      const other = await a.saveSubscription(input({ name: 'Other', channelId: '100000000000000002' }));
      const late = await a.claimRun(s.target, slot(9), [message(['https://1'])]);
      const early = await b.claimRun({ subscriptionId: other.id, channelId: other.channelId }, slot(7), [message(['https://2'])]);
      await a.claimRun(s.target, slot(8), { empty: 'nothing' });
      assert.deepEqual((await a.pendingRuns()).map((r) => [r.id, r.leaseOwner]), [[early!.id, 'process-b'], [late!.id, 'process-a']]);
      await b.setRunOutcome(early!.id, 'posted', 'posted');
      assert.deepEqual((await b.pendingRuns()).map((r) => r.id), [late!.id]);
    });

    test('a lease keeps a run to its owner until it expires; the process taking it over is then the only one that may record it', async (t) => {
      const s = await setUp(t, ['process-a', 'process-b']);
      if (!s) return;
      const [a, b] = s.stores as [StateStore, StateStore];
      const run = (await a.claimRun(s.target, slot(8), [message(['https://1']), message(['https://2'])]))!;
      assert.equal(await b.takeRun(run.id), undefined, 'refused while the lease holds');
      assert.equal((await a.takeRun(run.id))?.leaseOwner, 'process-a', 'the owner may take its own run again');
      s.clock.set(new Date(Date.parse(START) + LEASE_MS - 1));
      assert.equal(await a.renewLease(run.id), true);
      s.clock.set(new Date(Date.parse(START) + 2 * LEASE_MS - 2));
      assert.equal(await b.takeRun(run.id), undefined, 'the renewal extended it');
      s.clock.set(new Date(Date.parse(START) + 2 * LEASE_MS));
      const taken = await b.takeRun(run.id);
      assert.equal(taken?.leaseOwner, 'process-b', 'taken over once expired');
      assert.deepEqual(taken?.leaseUntil, new Date(Date.parse(START) + 3 * LEASE_MS));

      await assert.rejects(a.markAttempted(run.id, 0), LeaseLostError);
      await assert.rejects(a.recordSent(run.id, 0, '700000000000000001'), LeaseLostError);
      await assert.rejects(a.setRunOutcome(run.id, 'failed', 'gave up'), LeaseLostError);
      assert.equal(await a.renewLease(run.id), false);
      assert.equal(await a.takeRun(run.id), undefined);
      assert.deepEqual(await a.seenUrls(s.target.channelId), new Set(), 'the old owner recorded nothing');
      assert.deepEqual((await a.runMessages(run.id)).map((m) => [m.messageId, m.attemptedAt]), [[null, null], [null, null]]);

      await b.markAttempted(run.id, 0);
      await b.recordSent(run.id, 0, '700000000000000001');
      assert.deepEqual(await a.seenUrls(s.target.channelId), new Set(['https://1']));
      await b.setRunOutcome(run.id, 'sending', 'retrying: Discord is unavailable');
      const released = await a.getRun(run.id);
      assert.equal(released?.leaseOwner, null, 'an outcome releases the lease');
      assert.equal(released?.leaseUntil, null);
      assert.equal(released?.status, 'sending');
      assert.equal((await a.takeRun(run.id))?.leaseOwner, 'process-a', 'a released run is free for any process at once');
      await a.recordSent(run.id, 1, '700000000000000002');
      await a.setRunOutcome(run.id, 'posted', 'posted 2 message(s)');
      assert.equal(await b.takeRun(run.id), undefined, 'a finished run is not taken');
      assert.equal((await b.getRun(run.id))?.status, 'posted');
    });

    test('an owed publication is listed until settled, only while recent and while its digest still publishes', async (t) => {
      const s = await setUp(t);
      if (!s) return;
      const { store, clock } = s;
      const sub = await store.saveSubscription(input({ name: 'News', channelId: '100000000000000003', publish: true }));
      const target = { subscriptionId: sub.id, channelId: sub.channelId };
      const run = (await store.claimRun(target, slot(8), [message(['https://1']), message(['https://2']), message(['https://3'])]))!;
      await store.recordSent(run.id, 0, '700000000000000001', true);
      await store.recordSent(run.id, 1, '700000000000000002', false);
      await store.recordSent(run.id, 2, '700000000000000003', true);
      assert.deepEqual(await store.owedPublications(sub.channelId, 60_000),
        [{ runId: run.id, index: 0, messageId: '700000000000000001' }, { runId: run.id, index: 2, messageId: '700000000000000003' }]);
      assert.deepEqual(await store.owedPublications(s.sub.channelId, 60_000), [], 'per channel');
      await store.settlePublication(run.id, 0, 'published');
      assert.deepEqual((await store.owedPublications(sub.channelId, 60_000)).map((o) => o.index), [2]);
      clock.set(new Date(Date.parse(START) + 60_001));
      assert.deepEqual(await store.owedPublications(sub.channelId, 60_000), [], 'too old to publish');
      assert.equal((await store.owedPublications(sub.channelId, 120_000)).length, 1);
      await store.saveSubscription(input({ name: 'News', channelId: '100000000000000003', publish: false }), sub.id);
      assert.deepEqual(await store.owedPublications(sub.channelId, 120_000), [], 'a digest that stopped publishing owes nothing');
    });

    test('removing a digest keeps its runs and what its channel received', async (t) => {
      const s = await setUp(t);
      if (!s) return;
      const run = (await s.store.claimRun(s.target, slot(8), [message(['https://1'])]))!;
      await s.store.recordSent(run.id, 0, '700000000000000001');
      await s.store.setRunOutcome(run.id, 'posted', 'posted 1 message(s)');
      await s.store.removeSubscription(s.sub.id);
      assert.equal((await s.store.getRun(run.id))?.status, 'posted');
      assert.deepEqual(await s.store.seenUrls(s.target.channelId), new Set(['https://1']));
    });

    test('a slot claimed ahead of its time stays its process\'s until a lease past the slot, and any change of its digest withdraws it unsent', async (t) => {
      const s = await setUp(t, ['process-a', 'process-b']);
      if (!s) return;
      const [a, b] = s.stores as [StateStore, StateStore];
      const { sub, target, clock } = s;
      // 10:00 now: the 11:00 slot, planned an hour ahead to make the lease arithmetic plain.
      const ahead = (await a.claimRun(target, slot(11), [message(['https://1'])], { madeFrom: sub.updatedAt }))!;
      assert.equal(ahead.leaseOwner, 'process-a');
      assert.deepEqual(ahead.leaseUntil, new Date(slot(11).getTime() + LEASE_MS), 'leased from its slot, not from the claim');
      assert.equal(await b.takeRun(ahead.id), undefined, 'another process cannot take it before then');
      assert.deepEqual((await a.pendingRuns()).map((run) => run.id), [ahead.id]);

      clock.set('2026-03-01T10:00:01Z');
      const edited = await a.saveSubscription(input({ settings: { ...DEFAULT_DIGEST_SETTINGS, size: 4 } }), sub.id);
      assert.equal(await a.findRun(sub.id, slot(11)), undefined, 'an edit withdraws the plan made from the digest as it was');
      assert.deepEqual(await a.plannedUrls(target.channelId), new Set(), 'its stories are free again');
      assert.equal(await b.claimRun(target, slot(11), [message(['https://1'])], { madeFrom: sub.updatedAt }), undefined, 'a plan made before the edit is refused');
      assert.equal(await a.findRun(sub.id, slot(11)), undefined);
      const again = (await b.claimRun(target, slot(11), [message(['https://1'])], { madeFrom: edited.updatedAt }))!;
      assert.deepEqual(await a.saveSubscription(input({ settings: { ...DEFAULT_DIGEST_SETTINGS, size: 4 } }), sub.id), edited, 'saving identical values');
      assert.equal((await a.findRun(sub.id, slot(11)))?.id, again.id, 'changes nothing, so the plan stands');

      await b.setPaused(sub.id, true, 'paused by an admin');
      assert.equal(await a.findRun(sub.id, slot(11)), undefined, 'a pause withdraws it');
      await b.setPaused(sub.id, false);
      const resumed = (await b.getSubscription(sub.id))!;
      const kept = (await b.claimRun(target, slot(11), [message(['https://1'])], { madeFrom: resumed.updatedAt }))!;
      clock.set('2026-03-01T11:00:00Z');
      await b.markAttempted(kept.id, 0);
      clock.set('2026-03-01T10:59:00Z');
      await a.removeSubscription(sub.id);
      assert.equal((await a.getRun(kept.id))?.id, kept.id, 'a run with a message handed to Discord is history, never withdrawn');

      const later = await a.saveSubscription(input({ name: 'Later', channelId: '100000000000000002' }));
      const laterTarget = { subscriptionId: later.id, channelId: later.channelId };
      const due = (await a.claimRun(laterTarget, slot(10), [message(['https://2'])]))!;
      const coming = (await a.claimRun(laterTarget, slot(12), [message(['https://3'])], { madeFrom: later.updatedAt }))!;
      assert.equal(await a.removeSubscription(later.id), true);
      assert.equal((await a.getRun(due.id))?.id, due.id, 'a run whose slot has come stays when its digest is removed');
      assert.equal(await a.getRun(coming.id), undefined, 'one planned ahead goes with it');
    });
  });
}
