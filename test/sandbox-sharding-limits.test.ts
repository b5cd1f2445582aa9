import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Events, GatewayCloseCodes, GatewayOpcodes } from 'discord.js';
import { WebSocket } from 'ws';
import { createLogger } from '../src/log.js';
import { DISCORD_RATE_LIMITS } from '../src/sandbox/rateLimits.js';
import { DiscordSandbox, type SandboxOptions } from '../src/sandbox/server.js';
import { rawCall } from './helpers/sandbox.js';
import { connect, expectedShard, shardedClient, type ShardedClient } from './helpers/shardedClient.js';

// What Discord's gateway refuses when a bot shards wrongly or starts sessions too fast, met by the real discord.js
// client and by a bare connection; and the token's global REST limit shared by every caller.

async function withSandbox(options: Omit<SandboxOptions, 'logger'>, run: (sandbox: DiscordSandbox) => Promise<void>): Promise<void> {
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent'), ...options });
  try {
    await run(sandbox);
  } finally {
    await sandbox.close();
  }
}

/** What the gateway answers one bare IDENTIFY with: READY's shard, op 9's d, or the close code. */
async function identifyOnce(sandbox: DiscordSandbox, shard: unknown): Promise<{ ready: unknown } | { invalidSession: unknown } | { closed: number }> {
  const { json } = await rawCall(sandbox, 'GET', '/gateway/bot');
  const socket = new WebSocket(`${String(json!.url)}/?v=10&encoding=json`);
  try {
    return await new Promise((resolve, reject) => {
      socket.on('error', reject);
      socket.on('close', (code) => resolve({ closed: code }));
      socket.on('message', (data) => {
        const payload = JSON.parse(String(data)) as { op: number; t: string | null; d: Record<string, unknown> | boolean };
        if (payload.op === GatewayOpcodes.Hello) {
          socket.send(JSON.stringify({ op: GatewayOpcodes.Identify, d: { token: sandbox.token, intents: 1, properties: {}, ...(shard === undefined ? {} : { shard }) } }));
        } else if (payload.op === GatewayOpcodes.InvalidSession) {
          resolve({ invalidSession: payload.d });
        } else if (payload.t === 'READY') {
          resolve({ ready: (payload.d as { shard: unknown }).shard });
        }
      });
    });
  } finally {
    socket.terminate();
  }
}

/** Logs a client in expecting the gateway to refuse it: the error login rejects with, and the close code its shard saw. */
async function refusedLogin(sandbox: DiscordSandbox, sharded: ShardedClient): Promise<{ error: Error; codes: number[] }> {
  const codes: number[] = [];
  sharded.client.on(Events.ShardDisconnect, (event) => codes.push(event.code));
  try {
    const error = await sharded.client.login(sandbox.token).then(() => new Error('login succeeded'), (e: unknown) => e as Error);
    return { error, codes };
  } finally {
    await sharded.close();
  }
}

test('GET /gateway/bot reports the shard count and max_concurrency, and a client sharding "auto" spawns that many shards', async () => {
  await withSandbox({ guilds: 8, shards: 4, maxConcurrency: 4 }, async (sandbox) => {
    const { json } = await rawCall(sandbox, 'GET', '/gateway/bot');
    assert.equal(json!.shards, 4);
    const limit = json!.session_start_limit as Record<string, number>;
    assert.deepEqual({ ...limit, reset_after: undefined }, { total: 1000, remaining: 1000, max_concurrency: 4, reset_after: undefined });
    assert.ok(limit.reset_after! > 0);
    const sharded = shardedClient(sandbox, { shards: 'auto' });
    try {
      await connect(sandbox, sharded);
      assert.equal(sharded.client.options.shardCount, 4);
      for (const guild of sandbox.guilds) assert.equal(sharded.client.guilds.cache.get(guild.id)?.shardId, expectedShard(guild.id, 4));
    } finally {
      await sharded.close();
    }
    const after = (await rawCall(sandbox, 'GET', '/gateway/bot')).json!.session_start_limit as Record<string, number>;
    assert.equal(after.remaining, 996, 'each shard\'s session start counts against the day\'s total');
  });
});

test('shard [4, 4] is closed with 4010 Invalid shard and discord.js gives up on it; so are a negative id and a count of 0', async () => {
  await withSandbox({ guilds: 2 }, async (sandbox) => {
    const { error, codes } = await refusedLogin(sandbox, shardedClient(sandbox, { shards: [4], shardCount: 4 }));
    assert.match(error.message, /Invalid shard/);
    assert.deepEqual(codes, [GatewayCloseCodes.InvalidShard]);
    for (const shard of [[-1, 2], [0, 0], [1, 1], ['0', '1']]) {
      assert.deepEqual(await identifyOnce(sandbox, shard), { closed: GatewayCloseCodes.InvalidShard }, `shard ${JSON.stringify(shard)}`);
    }
    assert.deepEqual(await identifyOnce(sandbox, [1, 2]), { ready: [1, 2] }, 'a valid shard still starts');
  });
});

test('a bot over the guilds one shard may hold gets 4011 Sharding required unsharded or with too few shards, and connects with the count recommended', async () => {
  await withSandbox({ guilds: 8, maxGuildsPerShard: 2, maxConcurrency: 4 }, async (sandbox) => {
    assert.deepEqual(await identifyOnce(sandbox, undefined), { closed: GatewayCloseCodes.ShardingRequired });
    const { error, codes } = await refusedLogin(sandbox, shardedClient(sandbox, { shards: [0, 1], shardCount: 2 }));
    assert.match(error.message, /Sharding is required/);
    assert.ok(codes.length > 0 && codes.every((c) => c === GatewayCloseCodes.ShardingRequired), `close codes ${codes.join(', ')}`);
    assert.equal((await rawCall(sandbox, 'GET', '/gateway/bot')).json!.shards, 4, 'Discord recommends enough shards');
    const sharded = shardedClient(sandbox, { shards: 'auto' });
    try {
      await connect(sandbox, sharded);
      assert.equal(sharded.client.guilds.cache.size, 8);
    } finally {
      await sharded.close();
    }
  });
});

test('a second process identifying within 5 s on the same rate limit key gets op 9 Invalid Session, and discord.js identifies again and connects', async () => {
  // max_concurrency 1: shards 0 and 1 share the one key, so their sessions start at least 5 s apart.
  await withSandbox({ guilds: 2 }, async (sandbox) => {
    const first = shardedClient(sandbox, { shards: [0], shardCount: 2 });
    const second = shardedClient(sandbox, { shards: [1], shardCount: 2 });
    try {
      await connect(sandbox, first);
      await connect(sandbox, second);
      const outcomes = sandbox.identifies.map((i) => `${JSON.stringify(i.shard)} ${i.outcome}`);
      assert.deepEqual(outcomes, ['[0,2] ready', '[1,2] invalid_session', '[1,2] ready']);
      const other = sandbox.guilds.find((g) => expectedShard(g.id, 2) === 1)!;
      assert.equal(second.client.guilds.cache.get(other.id)?.shardId, 1, 'the second process holds its guild once connected');
      assert.deepEqual(await identifyOnce(sandbox, [0, 2]), { invalidSession: false }, 'op 9 with d=false: not resumable');
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

test('the global limit is one budget for every caller of the token, and its 429s are counted', async () => {
  await withSandbox({ rateLimits: { ...DISCORD_RATE_LIMITS, global: { limit: 6, windowMs: 60_000 } } }, async (sandbox) => {
    // Two callers, as two processes would be, taking turns: 10 requests against a budget of 6.
    const statuses: number[] = [];
    const globals: string[] = [];
    for (let i = 0; i < 10; i++) {
      const answer = await rawCall(sandbox, 'GET', i % 2 === 0 ? '/users/@me' : `/channels/${sandbox.channels.news}`);
      statuses.push(answer.status);
      if (answer.status === 429) globals.push(answer.headers.get('x-ratelimit-global') ?? 'missing');
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
    assert.deepEqual(globals, ['true', 'true', 'true', 'true']);
    assert.deepEqual(sandbox.rateLimited, { global: 4, route: 0 });
  });
});
