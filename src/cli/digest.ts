// `npm run digest`: prints the digest the content folder would give right now, as a terminal text or (--json) as
// the exact message payloads. Needs no Discord settings.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ArticleLibrary } from '../articles/library.js';
import type { Article } from '../articles/types.js';
import { digestMessages } from '../digest/messages.js';
import { choosePreview, renderPreview } from './preview.js';
import { DEFAULT_DIGEST_SETTINGS, DIGEST_SIZE_MAX, formatWindow, parseWindow, type DigestSettings } from '../digest/settings.js';
import { ConfigError, loadPreviewConfig, type PreviewConfig } from '../config.js';
import { createLogger } from '../log.js';
import type { Logger } from '../log.js';
import { canonicalTimeZone } from '../util/timezone.js';

const USAGE = `Usage: npm run digest -- [--content DIR] [--size N] [--window 24h|7d|all] [--topic T]… [--provider P]…
                         [--tz ZONE] [--now ISO-DATE] [--json]
Without --window the preview shows the last 24 h, or looks back 7 days, then at everything, when that is empty.`;

class UsageError extends Error {}

interface Options {
  contentDir: string;
  settings: DigestSettings;
  explicitWindow: boolean;
  timezone: string;
  now: Date;
  json: boolean;
}

/** The command line over the settings (CONTENT_DIR and DIGEST_TIMEZONE may come from the bot's .env). */
function readOptions(argv: string[], config: PreviewConfig): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      content: { type: 'string' },
      size: { type: 'string' },
      window: { type: 'string' },
      topic: { type: 'string', multiple: true },
      provider: { type: 'string', multiple: true },
      tz: { type: 'string' },
      now: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) throw new UsageError('');
  const size = values.size === undefined ? DEFAULT_DIGEST_SETTINGS.size : Number(values.size);
  if (!Number.isInteger(size) || size < 1 || size > DIGEST_SIZE_MAX) throw new UsageError(`--size must be a whole number from 1 to ${DIGEST_SIZE_MAX}`);
  const window = values.window === undefined ? DEFAULT_DIGEST_SETTINGS.window : parseWindow(values.window);
  if (!window) throw new UsageError('--window must be like 24h, 7d, all or since-last');
  const timezone = values.tz ?? config.timezone;
  if (canonicalTimeZone(timezone) === null) throw new UsageError(`--tz must be an IANA time zone such as Europe/Paris (got ${timezone})`);
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) throw new UsageError('--now must be a date such as 2026-11-26T08:00:00Z');
  return {
    contentDir: values.content === undefined ? config.contentDir : path.resolve(values.content),
    settings: { ...DEFAULT_DIGEST_SETTINGS, size, window, topics: values.topic ?? [], providers: values.provider ?? [] },
    explicitWindow: values.window !== undefined,
    timezone,
    now,
    json: values.json,
  };
}

async function loadArticles(contentDir: string, logger: Logger): Promise<readonly Article[]> {
  if (!fs.existsSync(contentDir) || !fs.statSync(contentDir).isDirectory()) throw new UsageError(`--content: ${contentDir} is not a folder`);
  const library = await ArticleLibrary.open({ contentDir, cacheDir: null, logger, watch: false });
  const articles = library.all();
  await library.close();
  return articles;
}

async function main(argv: string[]): Promise<number> {
  let config: PreviewConfig;
  try {
    config = loadPreviewConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 2;
  }
  const logger = createLogger(config.logLevel);
  let options: Options;
  try {
    options = readOptions(argv, config);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof TypeError)) throw error;
    // parseArgs reports unknown or malformed options as TypeErrors with a readable message.
    console.error(error.message ? `${error.message}\n\n${USAGE}` : USAGE);
    return error.message ? 2 : 0;
  }
  let articles: readonly Article[];
  try {
    articles = await loadArticles(options.contentDir, logger);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }
  const { choice, window, widened } = choosePreview(articles, options.now, options.settings, options.explicitWindow);
  logger.info({ event: 'digest_preview', contentDir: options.contentDir, articles: articles.length, window: formatWindow(window), outcome: choice.ok ? 'digest' : choice.reason }, 'digest preview');
  if (!choice.ok) {
    console.log(options.json ? '[]' : `No digest would be posted: ${choice.detail}`);
    return 0;
  }
  const { payloads, storiesPerMessage } = digestMessages(choice.stories, { now: options.now, timezone: options.timezone });
  console.log(options.json ? JSON.stringify(payloads, null, 2) : renderPreview(storiesPerMessage, { now: options.now, timezone: options.timezone, window, widened }));
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
