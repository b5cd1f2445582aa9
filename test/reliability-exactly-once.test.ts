// "No story is ever posted twice", attacked where it broke: two runs of one channel at the same moment, a full disk
// after a post reached Discord, SIGTERM while a post's answer is on its way, and SIGKILL followed by a restart
// after Discord's nonce window (the sandbox's clock is moved past it, so a resent nonce no longer saves the day).
// In-process parts run the real bot (discord.js client, scheduler, SQLite) against the sandbox; the process parts
// run src/main.ts as `npm start` does.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import { startBotHarness, waitUntil, type BotHarness } from './helpers/bot.js';
import { killBotProcesses, startBotProcess } from './helpers/botProcess.js';
import { mountSmallDisk } from './helpers/fullDisk.js';
import { seedDueDigests, storyUrls } from './helpers/reliability.js';
import { shownText } from './helpers/replies.js';
import { digestOf } from './helpers/subscriptions.js';

// Discord forgets a nonce after a few minutes; the sandbox after five. Restarts below come later than that.
const PAST_NONCE_WINDOW_MS = 6 * 60_000;
const SWEEP_MS = 30 * 60_000;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-once-'));
after(() => {
  killBotProcesses();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Story links posted to the channel more than once (the promise: none). */
function repeated(sandbox: DiscordSandbox, channelId: string): string[] {
  const urls = storyUrls(sandbox, channelId);
  return urls.filter((url, i) => urls.indexOf(url) !== i);
}

/** A new channel with a daily digest due at `time` UTC, set up through /digest setup like an admin would. */
async function subscribedChannel(h: BotHarness, name: string, time: string): Promise<string> {
  const channelId = h.sandbox.createChannel(name);
  await waitUntil(() => h.bot.client.channels.cache.has(channelId), `the bot to see #${name}`);
  const reply = await h.digest('setup', { channel: channelId, time, timezone: 'UTC' });
  assert.match(shownText(reply), /Digest \*\*.+\*\* set up/);
  return channelId;
}

const digestNow = (h: BotHarness, channelId: string) => h.digest('now', { channel: channelId });

test('two /digest now at the same moment: each story reaches the channel once', async () => {
  const h = await startBotHarness();
  try {
    const channelId = await subscribedChannel(h, 'double-now', '08:00');
    // The first one's post is answered slowly, so the second arrives while the first is still sending.
    h.sandbox.faults.answerSlowly(1, 800, { route: `/channels/${channelId}/messages` });
    const first = digestNow(h, channelId);
    await waitUntil(() => h.sandbox.messages(channelId).length > 0, 'the first digest to reach the channel');
    h.clock.set(new Date(h.clock.now().getTime() + 1000));
    const replies = await Promise.all([first, digestNow(h, channelId)]);
    for (const reply of replies) assert.match(shownText(reply), /Digest \*\*.+\*\* in <#\d+> posted|Nothing new to post/);
    assert.ok(storyUrls(h.sandbox, channelId).length >= 5, 'the first run posted its digest');
    assert.deepEqual(repeated(h.sandbox, channelId), []);
  } finally {
    await h.close();
  }
});

test('a scheduled digest retrying through 500s and a slow answer, and /digest now a moment later: no story twice', async () => {
  const h = await startBotHarness();
  try {
    const channelId = await subscribedChannel(h, 'retry-and-now', '12:30');
    h.clock.set('2026-11-20T12:31:00Z');
    const route = `/channels/${channelId}/messages`;
    h.sandbox.faults.failNext(2, 500, { route });
    h.sandbox.faults.answerSlowly(3, 700, { route });
    const scheduled = h.bot.scheduler.tick();
    await waitUntil(() => h.sandbox.requests.some((r) => r.path === route && r.status === 500), 'the scheduled post to meet a 500');
    const now = await digestNow(h, channelId);
    await scheduled;
    assert.match(shownText(now), /Digest \*\*.+\*\* in <#\d+> posted|Nothing new to post/);
    assert.ok(storyUrls(h.sandbox, channelId).length >= 5);
    assert.deepEqual(repeated(h.sandbox, channelId), []);
  } finally {
    await h.close();
  }
});

test('a full disk after a post reached Discord: the run stops, says why, sends nothing on later sweeps, and finishes once the disk has room', async (t) => {
  const disk = mountSmallDisk(8 * 1024 * 1024);
  if ('skip' in disk) return t.skip(disk.skip);
  const h = await startBotHarness({ databaseDir: disk.dir });
  try {
    const channelId = await subscribedChannel(h, 'full-disk', '12:30');
    const stopFilling = h.sandbox.onMessage(() => disk.fill());
    h.clock.set('2026-11-20T12:31:00Z');
    await h.bot.scheduler.tick();
    stopFilling();
    assert.equal(h.sandbox.messages(channelId).length, 1, 'the digest reached the channel once');

    const status = shownText(await h.digest('status'));
    assert.match(status, /stopped: message 1 was posted but could not be recorded \(SQLITE\\?_FULL/);
    assert.ok(h.logs.some((l) => l.event === 'digest.stopped' && String(l.database).startsWith(disk.dir)), 'the log names the database');

    // Sweeps while the disk stays full, each past Discord's nonce window: a resend would be a second copy.
    for (let sweep = 1; sweep <= 3; sweep++) {
      h.sandbox.passTime(SWEEP_MS);
      h.clock.set(new Date(h.clock.now().getTime() + SWEEP_MS));
      await h.bot.scheduler.tick();
      assert.equal(h.sandbox.messages(channelId).length, 1, `sweep ${sweep} sent nothing`);
    }
    const refused = await digestNow(h, channelId);
    assert.match(shownText(refused), /stopped, so that nothing is posted twice: .*could not be saved before posting/);
    assert.equal(h.sandbox.messages(channelId).length, 1, '/digest now on a full disk posts nothing');

    disk.free();
    h.sandbox.passTime(SWEEP_MS);
    h.clock.set(new Date(h.clock.now().getTime() + SWEEP_MS));
    await h.bot.scheduler.tick();
    assert.equal(h.sandbox.messages(channelId).length, 1, 'the post was recorded, not repeated');
    assert.match((await digestOf(h.store, channelId))?.lastResult ?? '', /^posted 1 message with \d+ stories/);
    assert.doesNotMatch(shownText(await h.digest('status')), /stopped/);

    await digestNow(h, channelId);
    assert.deepEqual(repeated(h.sandbox, channelId), [], 'the next digest leaves out what the first posted');
  } finally {
    await h.close();
    disk.unmount();
  }
});

/** The ids recorded for the run's messages (null where a message was never recorded). */
async function recordedIds(database: string, channelId: string, slot: Date): Promise<(string | null)[]> {
  const store = SqliteStore.open(database, { logger: createLogger('silent') });
  try {
    const run = await store.findRun((await digestOf(store, channelId))!.id, slot);
    return run ? (await store.runMessages(run.id)).map((m) => m.messageId) : [];
  } finally {
    await store.close();
  }
}

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  test(`${signal} while a digest's answer is on its way, then a restart past Discord's nonce window: posted once`, { timeout: 60_000 }, async () => {
    const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
    try {
      const dir = path.join(root, `signal-${signal.toLowerCase()}`);
      const { channels, database, slot } = await seedDueDigests(sandbox, dir, 1);
      const channelId = channels[0]!;
      sandbox.faults.answerSlowly(1, 1500, { route: `/channels/${channelId}/messages` });
      const bot = startBotProcess(sandbox, dir);
      const stop = sandbox.onMessage(() => bot.child.kill(signal));
      const code = await bot.exited;
      stop();
      assert.equal(sandbox.messages(channelId).length, 1, 'the post reached the channel');
      if (signal === 'SIGTERM') {
        assert.equal(code, 0, 'a clean stop');
        assert.deepEqual(await recordedIds(database, channelId, slot), [sandbox.messages(channelId)[0]!.id], 'shutdown waited for the answer and recorded it');
      }

      sandbox.passTime(PAST_NONCE_WINDOW_MS);
      const restarted = startBotProcess(sandbox, dir);
      await restarted.started;
      restarted.child.kill('SIGTERM');
      assert.equal(await restarted.exited, 0);
      assert.equal(sandbox.messages(channelId).length, 1, `one copy in the channel: ${restarted.stderr().split('\n').filter((l) => l.includes('digest.')).join('\n')}`);
      assert.deepEqual(await recordedIds(database, channelId, slot), [sandbox.messages(channelId)[0]!.id]);
      assert.deepEqual(repeated(sandbox, channelId), []);
      if (signal === 'SIGKILL') assert.match(restarted.stderr(), /"event":"digest.reconciled".*"found":true/, 'the restart found the post in the channel');
    } finally {
      await sandbox.close();
    }
  });
}
