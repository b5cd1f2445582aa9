import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';
import type { DatabaseSetting } from './state/open.js';
import { SNOWFLAKE } from './discord/snowflake.js';
import { databaseUrlProblem } from './ops/databaseUrl.js';
import { parseShardIds } from './ops/shardIds.js';
import { contentFolderProblem, prepareDataFolder } from './settingFolders.js';
import { parseTimeOfDay } from './util/timeOfDay.js';
import { canonicalTimeZone } from './util/timezone.js';

const DISCORD_API_DEFAULT = 'https://discord.com/api';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const snowflake = optionalText.refine((v) => v === undefined || SNOWFLAKE.test(v), {
  message: 'must be a Discord id (17 to 20 digits); enable Developer Mode in Discord and use "Copy ID"',
});

const integer = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === '' ? String(fallback) : v))
    .refine((v) => /^-?\d+$/.test(v), { message: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message: `must be a whole number from ${min} to ${max}` });

/** A whole number from min to max, or undefined when unset: for settings whose absence means "off". */
const optionalInteger = (min: number, max: number) =>
  optionalText
    .refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max), { message: `must be a whole number from ${min} to ${max}` })
    // NaN for a value refused above, so that no check across settings mistakes it for a number.
    .transform((v) => (v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : NaN));

const PORT_MAX = 65535;

/**
 * What a process does (issue 15's split): `all` is everything in one process, as before; `gateway` holds shards and
 * answers members; `scheduler` has no gateway connection and posts due digests over REST.
 */
export const ROLES = ['all', 'gateway', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

const logLevel = (fallback: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v.toLowerCase() : fallback))
    .refine((v) => ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(v), {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    });

// Each environment variable checked on its own; `schema` adds the checks across them and the settings' final shape.
const variables = z
  .object({
    DISCORD_TOKEN: optionalText,
    DISCORD_CLIENT_ID: snowflake,
    DISCORD_GUILD_ID: snowflake,
    DISCORD_API_URL: optionalText
      .transform((v) => v ?? DISCORD_API_DEFAULT)
      .refine((v) => /^https?:\/\/[^\s]+$/.test(v), { message: 'must be an http(s) URL such as https://discord.com/api' }),
    CONTENT_DIR: optionalText.transform((v) => path.resolve(v ?? 'content')),
    DATA_DIR: optionalText.transform((v) => path.resolve(v ?? 'data')),
    DATABASE_PATH: optionalText,
    DATABASE_URL: optionalText.superRefine((v, ctx) => {
      const problem = v === undefined ? undefined : databaseUrlProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    NEWSDESK_ROLE: optionalText
      .transform((v) => (v ?? 'all').toLowerCase())
      .refine((v): v is Role => (ROLES as readonly string[]).includes(v), {
        message: 'must be all (everything in one process, the default), gateway (shards and commands) or scheduler (posts digests)',
      }),
    // Discord's gateway refuses a bot in 2,500 servers or more without sharding; no upper bound of its own.
    SHARD_COUNT: optionalInteger(1, 1_000_000),
    SHARD_IDS: optionalText,
    HEALTH_PORT: optionalInteger(0, PORT_MAX),
    // Long enough to outlast a slow post and its retries between renewals; short enough that a crashed process's run
    // is finished by another well inside the minutes in which Discord still honours its nonces.
    RUN_LEASE_SECONDS: integer(5, 600, 30),
    DIGEST_CHANNEL_ID: snowflake,
    DIGEST_TIME: optionalText.refine((v) => v === undefined || parseTimeOfDay(v) !== null, {
      message: 'must be a time as HH:mm on a 24-hour clock, e.g. 08:30',
    }).transform((v) => (v === undefined ? undefined : parseTimeOfDay(v)!)),
    DIGEST_TIMEZONE: optionalText.refine((v) => v === undefined || canonicalTimeZone(v) !== null, {
      message: 'must be an IANA time zone name such as Europe/Paris or America/New_York',
    }).transform((v) => (v === undefined ? undefined : canonicalTimeZone(v)!)),
    DIGEST_SIZE: integer(1, 10, 5),
    DIGEST_MAX_PER_PROVIDER: integer(1, 10, 2),
    SANDBOX_PORT: integer(0, 65535, 0),
    LOG_LEVEL: logLevel('info'),
  });

// SHARD_IDS read against SHARD_COUNT, once: the shards this process may hold. A schema of its own joined to the
// others', so that its problem is listed with theirs (a transform after them would not run while any has one).
const sharding = variables.pick({ SHARD_COUNT: true, SHARD_IDS: true }).transform((env, ctx) => ({ shards: shardsOf(env, ctx) }));

const schema = variables
  .omit({ SHARD_COUNT: true, SHARD_IDS: true })
  .and(sharding)
  .superRefine((env, ctx) => {
    if (env.DISCORD_TOKEN && !env.DISCORD_CLIENT_ID) {
      ctx.addIssue({
        code: 'custom',
        path: ['DISCORD_CLIENT_ID'],
        message: 'is required with DISCORD_TOKEN: copy the Application ID from the Discord developer portal',
      });
    }
    const digestKeys = ['DIGEST_CHANNEL_ID', 'DIGEST_TIME'] as const;
    const given = digestKeys.filter((k) => env[k] !== undefined);
    if (given.length === 1) {
      const missing = digestKeys.find((k) => env[k] === undefined)!;
      ctx.addIssue({ code: 'custom', path: [missing], message: `is required when ${given[0]} is set (a digest needs a channel and a time)` });
    }
    // A role that is not one has its own message already; the rules below are for the real ones.
    if (env.NEWSDESK_ROLE !== 'all' && (ROLES as readonly string[]).includes(env.NEWSDESK_ROLE)) {
      if (!env.DATABASE_URL) {
        ctx.addIssue({
          code: 'custom', path: ['DATABASE_URL'],
          message: `is required with NEWSDESK_ROLE=${env.NEWSDESK_ROLE}: gateway and scheduler processes share their digests through one PostgreSQL database (a SQLite file belongs to one process); set DATABASE_URL=postgres://…, or NEWSDESK_ROLE=all to run everything in one process`,
        });
      }
      if (!env.DISCORD_TOKEN) {
        ctx.addIssue({
          code: 'custom', path: ['DISCORD_TOKEN'],
          message: `is required with NEWSDESK_ROLE=${env.NEWSDESK_ROLE}: the built-in sandbox lives inside one process, so a split needs a real bot token (and DISCORD_API_URL for a Discord-compatible server)`,
        });
      }
    }
    if (env.DATABASE_URL && env.DATABASE_PATH) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_PATH'], message: 'cannot be set with DATABASE_URL: the state lives either in PostgreSQL (DATABASE_URL) or in a SQLite file (DATABASE_PATH); remove one' });
    }
    const contentProblem = contentFolderProblem(env.CONTENT_DIR);
    // The problem names its setting itself; zod's path would name it twice.
    if (contentProblem) ctx.addIssue({ code: 'custom', path: [], message: contentProblem });
  })
  .transform((e) => ({
    discordToken: e.DISCORD_TOKEN,
    discordClientId: e.DISCORD_CLIENT_ID,
    discordGuildId: e.DISCORD_GUILD_ID,
    discordApiUrl: e.DISCORD_API_URL.replace(/\/+$/, ''),
    contentDir: e.CONTENT_DIR,
    dataDir: e.DATA_DIR,
    databasePath: path.resolve(e.DATABASE_PATH ?? path.join(e.DATA_DIR, 'newsdesk.sqlite')),
    /** Which setting chose databasePath, for the messages that tell an operator what to change. */
    databaseSetting: (e.DATABASE_PATH ? 'DATABASE_PATH' : 'DATA_DIR') as DatabaseSetting,
    /** The shared PostgreSQL store; when set, databasePath is not used. Show it only through databaseUrlForDisplay. */
    databaseUrl: e.DATABASE_URL,
    role: e.NEWSDESK_ROLE as Role,
    /** The shards this process holds and their total, for discord.js's `shards` and `shardCount`; undefined: no sharding (discord.js's default), or a scheduler (none, whatever a shared .env says). */
    shards: e.NEWSDESK_ROLE === 'scheduler' ? undefined : e.shards,
    /** The port of /healthz and /metrics on 127.0.0.1 (0: any free one); undefined: no health server. */
    healthPort: e.HEALTH_PORT,
    /** How long a process holds a digest run it sends without renewing it; another takes the run over after that. */
    runLeaseMs: e.RUN_LEASE_SECONDS * 1000,
    digest: e.DIGEST_CHANNEL_ID && e.DIGEST_TIME ? { channelId: e.DIGEST_CHANNEL_ID, time: e.DIGEST_TIME, timezone: e.DIGEST_TIMEZONE ?? 'UTC' } : undefined,
    digestSize: e.DIGEST_SIZE,
    digestMaxPerProvider: e.DIGEST_MAX_PER_PROVIDER,
    sandboxPort: e.SANDBOX_PORT,
    logLevel: e.LOG_LEVEL,
  }));

export type Config = z.infer<typeof schema>;

type Variables = z.infer<typeof variables>;

/**
 * The shards of SHARD_COUNT that SHARD_IDS names (every one without SHARD_IDS), or undefined: no sharding, or a
 * problem, added to `ctx` under SHARD_IDS. Called only with a SHARD_COUNT that is a count: another has its own message.
 */
function shardsOf(env: Pick<Variables, 'SHARD_COUNT' | 'SHARD_IDS'>, ctx: z.RefinementCtx): { ids: number[]; count: number } | undefined {
  const { SHARD_COUNT: count, SHARD_IDS: text } = env;
  // `continue`: the checks across the other settings still run after it, so that every problem is listed at once.
  const refuse = (message: string) => ctx.addIssue({ code: 'custom', path: ['SHARD_IDS'], message, continue: true });
  if (count === undefined) {
    if (text !== undefined) refuse('needs SHARD_COUNT, the total number of shards across every gateway process (SHARD_IDS are the ones this process holds)');
    return undefined;
  }
  if (text === undefined) return { ids: Array.from({ length: count }, (_, i) => i), count };
  const parsed = parseShardIds(text, count);
  if (parsed.ok) return { ids: parsed.ids, count };
  refuse(parsed.problem);
  return undefined;
}

// What `npm run digest` reads of the same .env: it needs no Discord setting, and a wrong one must not stop it. It
// keeps its parse cache under DATA_DIR, as the bot does. Its output is for a terminal, so it logs only warnings and
// worse unless LOG_LEVEL asks for more.
const previewSchema = variables
  .pick({ CONTENT_DIR: true, DATA_DIR: true, DIGEST_TIMEZONE: true })
  .extend({ LOG_LEVEL: logLevel('warn') })
  .transform((e) => ({ contentDir: e.CONTENT_DIR, dataDir: e.DATA_DIR, timezone: e.DIGEST_TIMEZONE ?? 'UTC', logLevel: e.LOG_LEVEL }));

export type PreviewConfig = z.infer<typeof previewSchema>;

// What `npm run proxy` reads: the bot's token and application id (it relays only requests of that bot), where
// Discord is (DISCORD_API_URL, which the bots point at the proxy instead) and where to listen. Nothing else of the
// bot's settings concerns it, so nothing else can stop it.
const proxySchema = variables
  .pick({ DISCORD_TOKEN: true, DISCORD_CLIENT_ID: true, DISCORD_API_URL: true, LOG_LEVEL: true, HEALTH_PORT: true })
  .extend({
    PROXY_PORT: integer(0, PORT_MAX, 8080),
    PROXY_HOST: optionalText.refine((v) => v === undefined || /^[\w.:-]+$/.test(v), {
      message: 'must be a host name or IP address to listen on, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)',
    }),
  })
  .superRefine((env, ctx) => {
    // No sandbox mode: the sandbox of `npm start` without a token lives inside that one process and needs no proxy, and
    // a proxy without the token would have to relay anyone's requests.
    if (!env.DISCORD_TOKEN) {
      ctx.addIssue({
        code: 'custom', path: ['DISCORD_TOKEN'],
        message: 'is required by the REST proxy: it relays only requests that carry this bot\'s token, so that nobody else who reaches it can spend the token\'s 50 requests a second; set the bot token every Newsdesk process has (npm start without a token runs its sandbox in one process, with no proxy)',
      });
    }
    if (!env.DISCORD_CLIENT_ID) {
      ctx.addIssue({
        code: 'custom', path: ['DISCORD_CLIENT_ID'],
        message: 'is required by the REST proxy: interaction replies are edited and followed up through this application\'s webhook routes, and no other application\'s; copy the Application ID from the Discord developer portal, as every Newsdesk process has it',
      });
    }
    // One .env shared by the bots and the proxy points DISCORD_API_URL at the proxy: the proxy would relay to itself.
    if (pointsAtProxy(env.DISCORD_API_URL, env.PROXY_PORT)) {
      ctx.addIssue({
        code: 'custom', path: ['DISCORD_API_URL'],
        message: `points at this proxy itself (port ${env.PROXY_PORT}), but it is where the proxy sends requests on to: start the proxy with DISCORD_API_URL= (empty, for Discord) or the real server's URL; only the Newsdesk processes point at the proxy`,
      });
    }
  })
  .transform((e) => ({
    // Both checked above: a parse with either missing has failed.
    token: e.DISCORD_TOKEN!,
    applicationId: e.DISCORD_CLIENT_ID!,
    discordApiUrl: e.DISCORD_API_URL.replace(/\/+$/, ''),
    port: e.PROXY_PORT,
    host: e.PROXY_HOST ?? '127.0.0.1',
    healthPort: e.HEALTH_PORT,
    logLevel: e.LOG_LEVEL,
  }));

export type ProxyConfig = z.infer<typeof proxySchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Newsdesk cannot start: the settings have ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix them in .env (see .env.example) or the environment, then start again.`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the settings from `env` (by default the process environment after loading .env). Throws a ConfigError
 * listing every problem at once; its message never contains a setting's value, so secrets cannot leak through it.
 */
export function loadConfig(env: NodeJS.ProcessEnv = readEnvironment()): Config {
  return parseSettings(schema, env);
}

/** The settings of `npm run digest`, read like loadConfig's. */
export function loadPreviewConfig(env: NodeJS.ProcessEnv = readEnvironment()): PreviewConfig {
  return parseSettings(previewSchema, env);
}

function pointsAtProxy(apiUrl: string, proxyPort: number): boolean {
  try {
    const url = new URL(apiUrl);
    const local = ['localhost', '127.0.0.1', '[::1]', '0.0.0.0', '[::]'].includes(url.hostname);
    return local && Number(url.port || (url.protocol === 'https:' ? 443 : 80)) === proxyPort;
  } catch {
    return false;
  }
}

/** The settings of `npm run proxy`, read like loadConfig's. */
export function loadProxyConfig(env: NodeJS.ProcessEnv = readEnvironment()): ProxyConfig {
  return parseSettings(proxySchema, env);
}

/**
 * Creates DATA_DIR if it is missing and checks Newsdesk can write there, before anything else uses it; a ConfigError
 * naming the folder and the fix otherwise. Not part of loadConfig, which only reads: deploy-commands needs no folder.
 */
export function prepareDataDir(config: Pick<Config, 'dataDir'>): void {
  const problem = prepareDataFolder(config.dataDir);
  if (problem) throw new ConfigError([problem]);
}

function parseSettings<S extends z.ZodType>(settings: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const parsed = settings.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')} ${i.message}` : i.message)));
  return parsed.data;
}

// The one place that reads the process environment (and .env, which never overrides what the environment sets).
function readEnvironment(): NodeJS.ProcessEnv {
  dotenv.config({ quiet: true });
  return process.env;
}
