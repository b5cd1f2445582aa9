// The most digests a server may hold, when members set digests up at the same instant: two /digest setup commands in
// one process (each waits on the store between counting and saving), or in two gateway processes sharing PostgreSQL.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { EVERY_DAY } from '../src/schedule/days.js';
import { DIGESTS_PER_SERVER_MAX, SubscriptionService } from '../src/subscriptions/service.js';
import type { StateStore } from '../src/state/stateStore.js';
import { TestClock } from './helpers/clock.js';
import { storeBackends } from './helpers/storeBackends.js';

const GUILD = '900000000000000001';
const ATTEMPTS = DIGESTS_PER_SERVER_MAX + 15;

const service = (store: StateStore) => new SubscriptionService({ store, reschedule: async () => {}, defaultSettings: () => DEFAULT_DIGEST_SETTINGS });

const setUp = (subscriptions: SubscriptionService, n: number) =>
  subscriptions.setUp({
    name: `Digest ${n}`,
    channelId: `1000000000000001${String(n).padStart(2, '0')}`,
    guildId: GUILD,
    kind: 'scheduled',
    time: '08:00',
    days: EVERY_DAY,
    timezone: 'UTC',
    settings: DEFAULT_DIGEST_SETTINGS,
    mentionRoleId: null,
  });

for (const backend of storeBackends) {
  describe(`the digests of a server: ${backend.name}`, () => {
    test(`${ATTEMPTS} setups at the same instant from two processes leave exactly ${DIGESTS_PER_SERVER_MAX}; every other one hears the server is full`, async (t) => {
      const stores = await backend.open(t, new TestClock('2026-03-01T10:00:00Z'), ['gateway-a', 'gateway-b']);
      if (!stores) return;
      const processes = stores.map(service);
      const results = await Promise.all(Array.from({ length: ATTEMPTS }, (_, n) => setUp(processes[n % processes.length]!, n)));
      assert.equal(results.filter((r) => r.ok).length, DIGESTS_PER_SERVER_MAX);
      assert.deepEqual(results.filter((r) => !r.ok), Array.from({ length: ATTEMPTS - DIGESTS_PER_SERVER_MAX }, () => ({ ok: false, problem: 'too-many', count: DIGESTS_PER_SERVER_MAX })));
      assert.equal((await stores[0]!.listSubscriptions({ guildId: GUILD })).length, DIGESTS_PER_SERVER_MAX, 'never one too many');
    });

    test('two commands of one process setting up the server\'s last digest at once: one gets it', async (t) => {
      const [store] = (await backend.open(t, new TestClock('2026-03-01T10:00:00Z'), ['gateway-a'])) ?? [];
      if (!store) return;
      const subscriptions = service(store);
      for (let n = 0; n < DIGESTS_PER_SERVER_MAX - 1; n++) assert.ok((await setUp(subscriptions, n)).ok);
      const last = await Promise.all([setUp(subscriptions, 50), setUp(subscriptions, 51)]);
      assert.deepEqual(last.map((r) => r.ok).sort(), [false, true]);
      assert.equal((await store.listSubscriptions({ guildId: GUILD })).length, DIGESTS_PER_SERVER_MAX);
    });
  });
}
