// A PostgreSQL that goes away mid-run, for real: the bot in a child process (NEWSDESK_ROLE=all) reaches its database
// through a TCP relay that the test stops while the bot is posting 60 due digests, at a seeded point
// (NEWSDESK_TEST_SEED repeats one). While the database is away members still get search results and a short apology
// from /digest status, the process stays up and logs structured lines without repeating one failure over and over;
// once it is back every digest is posted, each message exactly once. The same holds through a link that falls silent
// (nothing answers, nothing closes) and a server that restarts again and again while it posts. And a process that
// starts with no PostgreSQL to reach stops at once, naming DATABASE_URL and the fix.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import type { TestContext } from 'node:test';
import { REST } from 'discord.js';
import pg from 'pg';
import { commandDefinitions } from '../src/bot/commands/index.js';
import { deployCommands } from '../src/bot/deploy.js';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { waitUntil } from './helpers/bot.js';
import { killBotProcesses, startBotProcess } from './helpers/botProcess.js';
import type { BotProcess } from './helpers/botProcess.js';
import { postgresDatabase } from './helpers/postgres.js';
import { shown } from './helpers/replies.js';
import { projectRoot } from './helpers/shared.js';
import { assertPostedOnce, seedDueDigests, testRandom } from './helpers/sharedState.js';
import { relayedDatabase } from './helpers/tcpRelay.js';
import type { TcpRelay } from './helpers/tcpRelay.js';

const CHANNELS = 60;
const LEASE_SECONDS = 5;
// A password for the URLs that have none (a test server that trusts local connections never checks it): the log must
// never show the one in the URL the bot is given.
const PASSWORD = 'outage-secret-7f3k';
// Bounded waits, far above what the run needs, for a loaded 2-core machine. The sweep that used to be the only retry
// of a slot whose claim failed comes every 30 minutes: far beyond these.
const WAIT_MS = 120_000;

after(() => killBotProcesses());

interface LogLine { level: number; event?: string; channelId?: string }

/** The process's stderr as log lines; a line that is not one (a raw stack, an unhandled rejection) fails the test. */
function logLines(stderr: string): LogLine[] {
  return stderr.split('\n').filter((line) => line.trim() !== '').map((line) => {
    assert.ok(line.startsWith('{'), `every line the process writes is a structured log line, not:\n${line}`);
    return JSON.parse(line) as LogLine;
  });
}

interface RunRow { channel_id: string; status: string; outcome: string | null }

/** The sandbox, 60 digests due in PostgreSQL, the relay to it, and the bot started through it. */
interface Rig {
  sandbox: DiscordSandbox;
  relay: TcpRelay;
  bot: BotProcess;
  /** The test's own connection, straight to the database. */
  db: pg.Pool;
  channels: string[];
  /** Digest messages the sandbox has received so far. */
  received(): number;
  /** The password in the bot's DATABASE_URL. */
  password: string;
}

/** Sets the rig up; `onMessage` hears each digest message the sandbox receives, with their count so far. */
async function rig(t: TestContext, url: string, onMessage: (count: number, relay: TcpRelay) => void): Promise<Rig> {
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  t.after(() => sandbox.close());
  const work = await mkdtemp(path.join(os.tmpdir(), 'newsdesk-outage-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  await deployCommands(new REST({ api: sandbox.apiUrl }).setToken(sandbox.token), sandbox.applicationId, commandDefinitions(), sandbox.guild.id);

  // 60 digests due a minute ago, set up an hour before (a slot before a digest's set-up is never owed).
  const channels = Array.from({ length: CHANNELS }, (_, i) => sandbox.createChannel(`news-${i}`));
  await seedDueDigests(url, channels.map((channelId) => ({ channelId, guildId: sandbox.guild.id })));

  const { relay, url: viaRelay } = await relayedDatabase(t, url);
  viaRelay.password ||= PASSWORD;
  let received = 0;
  t.after(sandbox.onMessage(() => onMessage((received += 1), relay)));
  const bot = startBotProcess(sandbox, path.join(work, 'bot'), {
    NEWSDESK_ROLE: 'all', DATABASE_URL: viaRelay.toString(), CONTENT_DIR: path.join(projectRoot, 'content'), RUN_LEASE_SECONDS: String(LEASE_SECONDS),
  });
  const db = new pg.Pool({ connectionString: url, max: 2 });
  // The database is dropped (its connections terminated) when the test ends.
  db.on('error', () => undefined);
  t.after(() => db.end());
  return { sandbox, relay, bot, db, channels, received: () => received, password: decodeURIComponent(viaRelay.password) };
}

/** Waits until every digest is posted (a run closed any other way fails at once), then checks each was posted once. */
async function assertEveryDigestPostedOnce({ sandbox, db, channels, received }: Rig, what: string): Promise<number> {
  await waitUntil(async () => {
    const rows = (await db.query<RunRow>('SELECT channel_id, status, outcome FROM runs')).rows;
    const lost = rows.find((run) => run.status !== 'posted' && run.status !== 'sending');
    assert.equal(lost, undefined, `no digest is given up: ${JSON.stringify(lost)}`);
    return rows.length === CHANNELS && rows.every((run) => run.status === 'posted');
  }, `all ${CHANNELS} digests are posted ${what}`, WAIT_MS, 250);

  return assertPostedOnce(db, sandbox, channels, received());
}

test('PostgreSQL going away mid-delivery: search and /digest status still answer, the process stays up, and once it is back every digest is posted exactly once', { timeout: 300_000 }, async (t) => {
  const url = await postgresDatabase(t);
  if (!url) return;
  const random = testRandom('PostgreSQL outage');
  // The database goes away once the sandbox has received a seeded number of digest messages: mid-delivery.
  const cutAfter = 3 + Math.floor(random() * 30);
  let away: Promise<void> | undefined;
  const setUp = await rig(t, url, (count, relay) => {
    if (count === cutAfter) away = relay.stop();
  });
  const { sandbox, relay, bot } = setUp;
  let exitCode: number | null | undefined;
  void bot.exited.then((code) => (exitCode = code));
  await waitUntil(() => away !== undefined, `the database is cut after ${cutAfter} messages`, WAIT_MS, 250);
  await away;

  // While it is away, for a few of the scheduler's retries (one each half lease): members get their answers.
  await waitUntil(() => logLines(bot.stderr()).some((line) => line.level >= 50), 'the bot notices the database is gone', WAIT_MS, 250);
  const search = await sandbox.driver.command('news', { subcommand: 'search', options: { query: 'rocket' } });
  assert.ok((shown(search).embeds ?? []).length > 0, 'search is answered from the library in memory');
  const status = await sandbox.driver.command('digest', { subcommand: 'status' });
  assert.equal(status.ephemeral, true, '/digest status answers only the member who asked');
  assert.match(shown(status).content ?? '', /^Sorry.*try again/, 'a short apology, not a crash');
  await sleep(3 * LEASE_SECONDS * 1000);
  assert.equal(exitCode, undefined, `the process stays up while its database is away:\n${bot.stderr().slice(-3000)}`);
  const whileAway = logLines(bot.stderr());

  await relay.start();
  const messages = await assertEveryDigestPostedOnce(setUp, 'once the database is back');

  // The log: structured lines only, never the password, and a failure that repeats (a timer trying again every half
  // lease while the database is away) is one line, not one stack trace per try.
  const lines = logLines(bot.stderr());
  assert.ok(!bot.stderr().includes(setUp.password), 'the database password never appears in the log');
  for (const line of lines) assert.equal(typeof line.event, 'string', `every log line names its event: ${JSON.stringify(line)}`);
  const errors = new Map<string, number>();
  for (const line of whileAway.filter((l) => l.level >= 50)) errors.set(line.event!, (errors.get(line.event!) ?? 0) + 1);
  for (const event of ['scheduler.takeover_failed', 'scheduler.poll_failed', 'scheduler.tick_failed', 'live.tick_failed']) {
    assert.ok((errors.get(event) ?? 0) <= 1, `${event} is logged once while the database is away, not at every try: ${errors.get(event)} times`);
  }
  const perChannel = new Map<string, string[]>();
  for (const line of whileAway.filter((l) => l.level >= 40 && l.channelId !== undefined)) {
    perChannel.set(line.channelId!, [...(perChannel.get(line.channelId!) ?? []), line.event!]);
  }
  for (const [channelId, events] of perChannel) assert.equal(events.length, 1, `one line for the digest of ${channelId} left waiting, not ${events.join(', ')}`);
  console.log(`# ${messages} messages in ${CHANNELS} channels; the database went away after ${cutAfter}; errors while away: ${JSON.stringify(Object.fromEntries(errors))}`);

  bot.child.kill('SIGTERM');
  assert.equal(await bot.exited, 0, 'the process stops cleanly on SIGTERM');
});

test('PostgreSQL falling silent mid-delivery (nothing answers, nothing closes): /digest status still apologises in time, and once the link is back every digest is posted exactly once', { timeout: 300_000 }, async (t) => {
  const url = await postgresDatabase(t);
  if (!url) return;
  const random = testRandom('PostgreSQL silent');
  const holdAfter = 3 + Math.floor(random() * 30);
  let held = false;
  const setUp = await rig(t, url, (count, relay) => {
    if (count !== holdAfter) return;
    relay.hold();
    held = true;
  });
  await waitUntil(() => held, `the database falls silent after ${holdAfter} messages`, WAIT_MS, 250);
  // Its statements wait for an answer up to their timeout, far past the 3 s in which Discord needs the bot's.
  const status = await setUp.sandbox.driver.command('digest', { subcommand: 'status' });
  assert.equal(status.ephemeral, true, '/digest status answers only the member who asked');
  assert.match(shown(status).content ?? '', /^Sorry.*try again/, 'a short apology, not "The application did not respond"');

  await setUp.relay.stop();
  await setUp.relay.start();
  const messages = await assertEveryDigestPostedOnce(setUp, 'once the database answers again');
  console.log(`# ${messages} messages in ${CHANNELS} channels; the database fell silent after ${holdAfter}`);
  setUp.bot.child.kill('SIGTERM');
  assert.equal(await setUp.bot.exited, 0, 'the process stops cleanly on SIGTERM');
});

test('PostgreSQL restarting again and again mid-delivery (connections cut, new ones accepted): no digest is given up, and each is posted exactly once', { timeout: 300_000 }, async (t) => {
  const url = await postgresDatabase(t);
  if (!url) return;
  const random = testRandom('PostgreSQL restarts');
  // Every few messages (a seeded pace) the server restarts: the statements under way fail, the next ones reconnect.
  const every = 2 + Math.floor(random() * 4);
  const restarts = 20;
  const setUp = await rig(t, url, (count, relay) => {
    if (count % every === 0 && count / every <= restarts) relay.cut();
  });
  const messages = await assertEveryDigestPostedOnce(setUp, `through ${restarts} restarts of the database`);
  console.log(`# ${messages} messages in ${CHANNELS} channels; the database restarted every ${every} messages`);
  setUp.bot.child.kill('SIGTERM');
  assert.equal(await setUp.bot.exited, 0, 'the process stops cleanly on SIGTERM');
});

/** A port nothing listens on (taken, then freed). */
async function closedPort(): Promise<number> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  await new Promise((resolve) => listener.close(resolve));
  return port;
}

test('a process started while PostgreSQL cannot be reached stops with status 2, naming DATABASE_URL and the fix, never the password', { timeout: 120_000 }, async (t) => {
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  t.after(() => sandbox.close());
  const work = await mkdtemp(path.join(os.tmpdir(), 'newsdesk-outage-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const bot = startBotProcess(sandbox, path.join(work, 'bot'), {
    NEWSDESK_ROLE: 'all', DATABASE_URL: `postgres://newsdesk:${PASSWORD}@127.0.0.1:${await closedPort()}/newsdesk`, CONTENT_DIR: path.join(projectRoot, 'content'),
  });
  assert.equal(await bot.exited, 2);
  const printed = bot.stderr().split('\n').filter((line) => !line.startsWith('{')).join('\n');
  assert.match(printed, /DATABASE_URL\) cannot be reached: no PostgreSQL server answered at 127\.0\.0\.1:\d+/);
  assert.match(printed, /\nStart PostgreSQL there, or correct the host and port in DATABASE_URL/);
  assert.doesNotMatch(printed, /^\s+at /m, 'no stack trace');
  assert.ok(!bot.stderr().includes(PASSWORD), 'the password never appears');
});
