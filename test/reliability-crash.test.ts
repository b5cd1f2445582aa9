// Crash safety: the real bot (`npm start`'s src/main.ts in a child process, pointed at the sandbox through
// DISCORD_API_URL and DISCORD_TOKEN) delivers a due digest to 50 channels and is killed with SIGKILL at random
// points — after a random number of posts, or a random time after start (which may land in start-up, a claim or a
// send). The sandbox lives in this process, so it outlives the child and keeps what was posted. After each kill the
// database must pass `PRAGMA integrity_check`; after the final restart every channel holds exactly the messages its
// run planned, once each.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import type { StateStore } from '../src/state/stateStore.js';
import { seedDueDigests, storyUrls } from './helpers/reliability.js';
import { killBotProcesses, startBotProcess, type BotProcess } from './helpers/botProcess.js';
import { digestOf } from './helpers/subscriptions.js';

const CHANNELS = 50;
const TRIALS = 5;
// How long a start-up plus a 50-channel digest may take on a slow shared machine before the test gives up.
const RUN_TIMEOUT_MS = 30_000;
// A seed printed with every failure, so a kill schedule that found a bug can be replayed (RELIABILITY_SEED=…).
const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 1_000_000);

/** mulberry32: a small seeded generator, so the random kill points are reproducible. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let sandbox: DiscordSandbox;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-crash-'));

before(async () => {
  sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
});
after(async () => {
  killBotProcesses();
  await sandbox.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const startBot = (dir: string) => startBotProcess(sandbox, dir);

/** SIGKILL, as the OOM killer or a pulled plug would; resolves once the process is gone. */
async function kill(bot: BotProcess): Promise<void> {
  bot.child.kill('SIGKILL');
  await bot.exited;
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

/**
 * Per channel, what differs between the sandbox and the channel's run: the run not posted, a planned message not
 * recorded as sent, or the channel holding anything but the planned messages, in order, once each.
 */
async function exactlyOnceProblems(store: StateStore, channels: string[], slot: Date): Promise<string[]> {
  const problems = await Promise.all(channels.map(async (channelId) => {
    const run = await store.findRun((await digestOf(store, channelId))!.id, slot);
    if (!run) return [`${channelId}: no run`];
    if (run.status !== 'posted') return [`${channelId}: run ${run.status} (${run.outcome})`];
    const planned = await store.runMessages(run.id);
    const posted = sandbox.messages(channelId);
    const same = posted.length === planned.length
      && planned.every((m, i) => m.messageId === posted[i]!.id)
      && JSON.stringify(storyUrls(sandbox, channelId)) === JSON.stringify(planned.flatMap((m) => m.storyUrls));
    return same ? [] : [`${channelId}: ${posted.length} message(s) posted for ${planned.length} planned`];
  }));
  return problems.flat();
}

test(`SIGKILL at random points of a digest to ${CHANNELS} channels: after each restart, every channel has it exactly once`, { timeout: 110_000 }, async (t) => {
  const next = random(SEED);
  t.diagnostic(`seed ${SEED}`);
  for (let trial = 1; trial <= TRIALS; trial++) {
    const dir = path.join(root, `trial-${trial}`);
    const { channels, database, slot } = await seedDueDigests(sandbox, dir, CHANNELS);
    const posted = () => channels.reduce((sum, id) => sum + sandbox.messages(id).length, 0);

    // One or two kills per trial, each after a random number of posts or a random time from start.
    const kills = 1 + Math.floor(next() * 2);
    for (let k = 0; k < kills; k++) {
      const bot = startBot(dir);
      const byPosts = next() < 0.7;
      const waiting = channels.filter((id) => sandbox.messages(id).length === 0).length;
      const target = posted() + 1 + Math.floor(next() * Math.max(1, waiting));
      const stop = sandbox.onMessage(() => {
        if (byPosts && posted() >= target) bot.child.kill('SIGKILL');
      });
      const timer = byPosts ? undefined : setTimeout(() => bot.child.kill('SIGKILL'), 300 + next() * 3000);
      try {
        // A kill scheduled after the digest was already done still ends the process; either way it must die.
        await Promise.race([bot.exited, bot.started.then(() => kill(bot), () => undefined)]);
        await bot.exited;
      } finally {
        stop();
        clearTimeout(timer);
      }
      // Requests already on the wire when the kill lands still arrive: those are the posted-but-unrecorded ones.
      t.diagnostic(`trial ${trial}: killed ${byPosts ? `on post ${target}` : 'after a random delay'}; ${posted()} messages had arrived by its death`);
      assert.equal(integrity(database), 'ok', `trial ${trial}, kill ${k + 1} (seed ${SEED}): database intact after SIGKILL`);
    }

    const bot = startBot(dir);
    await Promise.race([bot.started, new Promise((_, reject) => setTimeout(() => reject(new Error(`trial ${trial}: the restarted bot did not finish within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS).unref())]);
    bot.child.kill('SIGTERM');
    assert.equal(await bot.exited, 0, 'a clean stop after the run');
    assert.equal(integrity(database), 'ok', `trial ${trial} (seed ${SEED}): database intact after restart`);
    const store = SqliteStore.open(database, { logger: createLogger('silent') });
    try {
      assert.deepEqual(await exactlyOnceProblems(store, channels, slot), [], `trial ${trial} (seed ${SEED})`);
    } finally {
      await store.close();
    }
  }
});
