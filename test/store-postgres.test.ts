// What only a real PostgreSQL server shows: processes racing for the same slots, runs and schema upgrade; the
// messages for a DATABASE_URL that cannot be used; and a server that goes away mid-run and comes back. Each test
// has a database of its own on NEWSDESK_TEST_DATABASE_URL's server, and is skipped, saying why, without one.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { createLogger } from '../src/log.js';
import { EVERY_DAY } from '../src/schedule/days.js';
import { StateFileError } from '../src/state/open.js';
import { POSTGRES_SCHEMA_VERSION } from '../src/state/postgres/migrations.js';
import { PostgresStore } from '../src/state/postgres/postgresStore.js';
import type { PostgresStoreOptions } from '../src/state/postgres/postgresStore.js';
import type { Plan, RunTarget, SubscriptionInput } from '../src/state/types.js';
import { TestClock } from './helpers/clock.js';
import { ADMIN_URL_SETTING, postgresDatabase, withDatabase } from './helpers/postgres.js';
import { relayedDatabase } from './helpers/tcpRelay.js';

const logger = createLogger('silent');
const SLOT = new Date('2026-03-01T08:00:00Z');

const input = (n: number): SubscriptionInput => ({
  name: `Digest ${n}`,
  kind: 'scheduled',
  days: EVERY_DAY,
  channelId: String(100000000000000000n + BigInt(n)),
  guildId: '900000000000000001',
  time: '08:00',
  timezone: 'UTC',
  settings: DEFAULT_DIGEST_SETTINGS,
  mentionRoleId: null,
});

const plan = (n: number): Plan => [{ payload: { content: `digest ${n}` }, storyUrls: [`https://story/${n}`], storyCount: 1 }];

/** Stores on `url`, one per owner, closed when the test ends (before its database is dropped). */
async function connectAll(t: TestContext, url: string, owners: string[], options: Partial<PostgresStoreOptions> = {}): Promise<PostgresStore[]> {
  const clock = new TestClock('2026-03-01T08:00:05Z');
  const stores = await Promise.all(owners.map((owner) => PostgresStore.connect(url, { logger, clock, lease: { owner, leaseMs: 30_000 }, ...options })));
  t.after(() => Promise.all(stores.map((store) => store.close().catch(() => undefined))));
  return stores;
}

async function adminQuery<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** `promise`, or a failure if it has not settled after `ms`: a store must fail, not hang, when its server is gone. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Resolves once `condition` holds, looking every 20 ms; fails after `ms`. */
async function until(condition: () => boolean, ms: number): Promise<void> {
  for (const deadline = Date.now() + ms; !condition(); await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${ms} ms`);
  }
}

test('two processes claiming the same 50 due slots at once claim each exactly once', async (t) => {
  const url = await postgresDatabase(t);
  if (!url) return;
  const [a, b] = (await connectAll(t, url, ['process-a', 'process-b'])) as [PostgresStore, PostgresStore];
  const targets: RunTarget[] = [];
  for (let n = 0; n < 50; n++) {
    const sub = await a.saveSubscription(input(n));
    targets.push({ subscriptionId: sub.id, channelId: sub.channelId });
  }
  const claim = (store: PostgresStore, n: number) => store.claimRun(targets[n]!, SLOT, plan(n));
  const results = await Promise.all(targets.flatMap((_, n) => [claim(a, n), claim(b, n)]));
  for (let n = 0; n < 50; n++) {
    const claimed = [results[2 * n], results[2 * n + 1]].filter((run) => run !== undefined);
    assert.equal(claimed.length, 1, `slot ${n} claimed by exactly one process`);
  }
  const again = await Promise.all(targets.flatMap((_, n) => [claim(a, n), claim(b, n)]));
  assert.deepEqual(again.filter((run) => run !== undefined), [], 'a claimed slot stays claimed');
  const pending = await b.pendingRuns();
  assert.equal(pending.length, 50);
  for (const run of pending) assert.equal((await a.runMessages(run.id)).length, 1, 'each run holds its whole plan');
});

test('processes racing to take over the same released runs: one takes each', async (t) => {
  const url = await postgresDatabase(t);
  if (!url) return;
  const stores = await connectAll(t, url, ['process-a', 'process-b', 'process-c', 'process-d']);
  const runIds: number[] = [];
  for (let n = 0; n < 10; n++) {
    const sub = await stores[0]!.saveSubscription(input(n));
    const run = await stores[0]!.claimRun({ subscriptionId: sub.id, channelId: sub.channelId }, SLOT, plan(n));
    await stores[0]!.setRunOutcome(run!.id, 'sending', 'retrying');
    runIds.push(run!.id);
  }
  const taken = await Promise.all(runIds.map((id) => Promise.all(stores.map((store) => store.takeRun(id)))));
  for (const [i, attempts] of taken.entries()) {
    const winners = attempts.filter((run) => run !== undefined);
    assert.equal(winners.length, 1, `run ${runIds[i]} taken by exactly one process`);
    assert.equal((await stores[0]!.getRun(runIds[i]!))?.leaseOwner, winners[0]!.leaseOwner);
  }
});

test('processes starting together on a new database make one schema, applied once', async (t) => {
  const url = await postgresDatabase(t);
  if (!url) return;
  const lines: { event?: string; migrationsApplied?: number[] }[] = [];
  const capture = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
  const stores = await connectAll(t, url, ['p1', 'p2', 'p3', 'p4'], { logger: capture });
  assert.equal(stores.length, 4);
  const applied = lines.filter((line) => line.event === 'state.open').map((line) => line.migrationsApplied);
  assert.deepEqual(applied.sort((x, y) => (y?.length ?? 0) - (x?.length ?? 0)), [[POSTGRES_SCHEMA_VERSION], [], [], []]);
  assert.deepEqual(await adminQuery(url, 'SELECT version FROM newsdesk_schema'), [{ version: POSTGRES_SCHEMA_VERSION }]);
});

test('a database newer than this Newsdesk, or holding another program\'s tables, is refused untouched', async (t) => {
  const url = await postgresDatabase(t);
  if (!url) return;
  await connectAll(t, url, ['first']);
  await adminQuery(url, `UPDATE newsdesk_schema SET version = ${POSTGRES_SCHEMA_VERSION + 1}`);
  await assert.rejects(PostgresStore.connect(url, { logger }), (error: Error) =>
    error instanceof StateFileError && /DATABASE_URL/.test(error.message) && error.message.includes(`schema version ${POSTGRES_SCHEMA_VERSION + 1} is newer than this Newsdesk`) && /Update Newsdesk/.test(error.message));
  await adminQuery(url, 'DROP TABLE newsdesk_schema');
  await assert.rejects(PostgresStore.connect(url, { logger }), /tables named like Newsdesk's.*\n.*a database of its own/);
  assert.deepEqual(await adminQuery(url, `SELECT to_regclass('newsdesk_schema') AS t`), [{ t: null }], 'nothing was made');
});

/** A port nothing listens on (taken, then freed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The refusal for `url`: a StateFileError (main.ts exits 2) naming DATABASE_URL, `expected`, and no secret. */
async function refusalFor(url: string, expected: RegExp, secrets: string[]): Promise<string> {
  const error = await PostgresStore.connect(url, { logger, timeouts: { connectMs: 5_000 } }).then(
    async (store) => {
      await store.close();
      throw new Error(`connected to ${url}`);
    },
    (refused: unknown) => refused,
  );
  assert.ok(error instanceof StateFileError, String(error));
  assert.match(error.message, /DATABASE_URL/);
  assert.match(error.message, expected);
  for (const secret of secrets) assert.ok(!error.message.includes(secret), `the message shows a password: ${error.message}`);
  return error.message;
}

test('a DATABASE_URL that is not PostgreSQL\'s or reaches no server is refused with the setting, the problem and the fix, never its password', async () => {
  await refusalFor('not a url', /must be a PostgreSQL URL such as postgres:\/\//, []);
  await refusalFor('mysql://newsdesk:hunter2-secret@db.example.com/newsdesk', /uses mysql:.*PostgreSQL/, ['hunter2-secret']);
  await refusalFor('postgres://newsdesk:hunter2-secret@no-such-host.invalid/newsdesk', /the host no-such-host\.invalid is not known.*\nCorrect the host in DATABASE_URL/, ['hunter2-secret']);
  const port = await closedPort();
  const unreachable = await refusalFor(`postgres://newsdesk:hunter2-secret@127.0.0.1:${port}/newsdesk`, /cannot be reached: no PostgreSQL server answered at 127\.0\.0\.1:\d+.*\nStart PostgreSQL there/, ['hunter2-secret']);
  assert.match(unreachable, /postgres:\/\/newsdesk:\*\*\*@127\.0\.0\.1/, 'the URL is shown without its password');
});

test('a missing database or a wrong password is refused with the setting, the problem and the fix, never a password', async (t) => {
  const admin = process.env[ADMIN_URL_SETTING];
  const url = await postgresDatabase(t);
  if (!url || !admin) return;
  const adminPassword = decodeURIComponent(new URL(admin).password);
  const secrets = adminPassword ? [adminPassword] : [];
  await refusalFor(withDatabase(admin, 'nd_missing_database'), /nd_missing_database.*does not exist.*\nCreate it \(createdb/, secrets);
  const wrong = new URL(url);
  wrong.password = 'wrong-secret-1234';
  const trusted = await PostgresStore.connect(wrong.toString(), { logger }).then(async (store) => (await store.close(), true), () => false);
  if (trusted) {
    t.diagnostic('the test server accepts any password (trust authentication): the wrong-password message is not checked');
    return;
  }
  await refusalFor(wrong.toString(), /wrong password, or no such user.*\nCorrect the user and password in DATABASE_URL/, [...secrets, 'wrong-secret-1234']);
});

test('a PostgreSQL that goes away mid-run fails operations without ending the process, and once it is back they succeed', async (t) => {
  const url = await postgresDatabase(t);
  if (!url) return;
  const { relay, url: viaRelay } = await relayedDatabase(t, url);
  const lines: { event?: string }[] = [];
  const capture = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
  const [store] = await connectAll(t, viaRelay.toString(), ['process-a'], { logger: capture, timeouts: { connectMs: 2_000, queryMs: 3_000 } });
  const sub = await store!.saveSubscription(input(1));
  const target = { subscriptionId: sub.id, channelId: sub.channelId };
  const first = await store!.claimRun(target, SLOT, plan(1));
  assert.ok(first);

  // The server restarts: its idle connections are cut under the pool (unheard, that 'error' would end the process).
  relay.cut();
  await until(() => lines.some((line) => line.event === 'state.connection_lost'), 10_000);
  assert.equal((await store!.getRun(first.id))?.id, first.id, 'the next operation connects afresh');

  // The server goes: every connection cut, new ones refused.
  await relay.stop();
  await within(20_000, assert.rejects(store!.listSubscriptions()));
  await within(20_000, assert.rejects(store!.claimRun(target, new Date('2026-03-02T08:00:00Z'), plan(2))));
  await within(20_000, assert.rejects(store!.recordSent(first.id, 0, '700000000000000001')));

  // It comes back: the same store works again, and what was written before is all there.
  await relay.start();
  assert.deepEqual((await store!.listSubscriptions()).map((s) => s.id), [sub.id]);
  await store!.recordSent(first.id, 0, '700000000000000001');
  assert.deepEqual(await store!.seenUrls(sub.channelId), new Set(['https://story/1']));

  // The link goes dead without closing (nothing answers): statements and new connections time out instead of hanging.
  relay.hold();
  await within(20_000, assert.rejects(store!.pendingRuns()));
  relay.cut();
  await within(20_000, assert.rejects(store!.getRun(first.id)));
  await relay.stop();
  await relay.start();
  const second = await store!.claimRun(target, new Date('2026-03-02T08:00:00Z'), plan(2));
  assert.ok(second, 'a claim that failed while the server was away is made once it is back');
  assert.equal((await store!.pendingRuns()).length, 2);
});
