import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';
import type { DatabaseSetting } from './state/open.js';
import { SNOWFLAKE } from './discord/snowflake.js';
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

const schema = variables
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
    digest: e.DIGEST_CHANNEL_ID && e.DIGEST_TIME ? { channelId: e.DIGEST_CHANNEL_ID, time: e.DIGEST_TIME, timezone: e.DIGEST_TIMEZONE ?? 'UTC' } : undefined,
    digestSize: e.DIGEST_SIZE,
    digestMaxPerProvider: e.DIGEST_MAX_PER_PROVIDER,
    sandboxPort: e.SANDBOX_PORT,
    logLevel: e.LOG_LEVEL,
  }));

export type Config = z.infer<typeof schema>;

// What `npm run digest` reads of the same .env: it needs no Discord setting, and a wrong one must not stop it. It
// keeps its parse cache under DATA_DIR, as the bot does. Its output is for a terminal, so it logs only warnings and
// worse unless LOG_LEVEL asks for more.
const previewSchema = variables
  .pick({ CONTENT_DIR: true, DATA_DIR: true, DIGEST_TIMEZONE: true })
  .extend({ LOG_LEVEL: logLevel('warn') })
  .transform((e) => ({ contentDir: e.CONTENT_DIR, dataDir: e.DATA_DIR, timezone: e.DIGEST_TIMEZONE ?? 'UTC', logLevel: e.LOG_LEVEL }));

export type PreviewConfig = z.infer<typeof previewSchema>;

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
