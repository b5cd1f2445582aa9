// `npm run digest`: prints the digest the content folder would give right now, as a terminal text or (--json) as
// the exact message payloads. Needs no Discord settings.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cacheFolder } from '../articles/caches.js';
import { ArticleLibrary } from '../articles/library.js';
import type { Article } from '../articles/types.js';
import { digestMessages } from '../digest/messages.js';
import { unknownFilterNames, type FolderNames } from './filterNames.js';
import { choosePreview, renderPreview } from './preview.js';
import { DEFAULT_DIGEST_SETTINGS, DIGEST_SIZE_MAX, formatWindow, parseWindow, WINDOW_HOURS_MAX, type DigestSettings } from '../digest/settings.js';
import { ConfigError, loadPreviewConfig, type PreviewConfig } from '../config.js';
import { createLogger } from '../log.js';
import { contentFolderProblem } from '../settingFolders.js';
import type { Logger } from '../log.js';
import { canonicalTimeZone } from '../util/timezone.js';

const WINDOW_DAYS_MAX = WINDOW_HOURS_MAX / 24;
const WINDOW_FORMS = `a number of hours (1h to ${WINDOW_HOURS_MAX}h) or days (1d to ${WINDOW_DAYS_MAX}d), or all`;

const USAGE = `Usage: npm run digest -- [--content DIR] [--size N] [--window Nh|Nd|all] [--topic T]… [--provider P]…
                         [--tz ZONE] [--now ISO-DATE] [--json]
--window takes ${WINDOW_FORMS}, such as 24h, 48h or 7d.
Without it the preview shows the last 24 h, or looks back 7 days, then at everything, when that is empty.`;

// Every topic and outlet name of the folder: autocomplete-sized lists, kept whole.
const ALL_NAMES = Number.MAX_SAFE_INTEGER;

class UsageError extends Error {}

interface Options {
  contentDir: string;
  /** Whether the folder came from --content rather than CONTENT_DIR: the one a problem names. */
  contentFromOption: boolean;
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
  if (!window) throw new UsageError(`--window must be like 24h, 7d, all: ${WINDOW_FORMS} (got ${values.window})`);
  // A channel's since-last window reaches back to its previous digest, which a preview does not have.
  if (values.window !== undefined && window.kind === 'since-last') throw new UsageError('--window since-last means "since the previous digest", and a preview has none: use 24h');
  const timezone = values.tz ?? config.timezone;
  if (canonicalTimeZone(timezone) === null) throw new UsageError(`--tz must be an IANA time zone such as Europe/Paris (got ${timezone})`);
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) throw new UsageError('--now must be a date such as 2026-11-26T08:00:00Z');
  return {
    contentDir: values.content === undefined ? config.contentDir : path.resolve(values.content),
    contentFromOption: values.content !== undefined,
    settings: { ...DEFAULT_DIGEST_SETTINGS, size, window, topics: values.topic ?? [], providers: values.provider ?? [] },
    explicitWindow: values.window !== undefined,
    timezone,
    now,
    json: values.json,
  };
}

/**
 * The folder's articles, through the bot's parse cache under DATA_DIR (or one of the folder's own, for a folder
 * that is not the bot's CONTENT_DIR): a second preview of the same folder reads the cache instead of every file.
 */
async function loadArticles(options: Options, config: PreviewConfig, logger: Logger): Promise<{ articles: readonly Article[]; names: FolderNames }> {
  const problem = contentFolderProblem(options.contentDir, options.contentFromOption ? '--content' : 'CONTENT_DIR');
  if (problem) throw new UsageError(problem);
  const cacheDir = cacheFolder(config.dataDir, options.contentDir, config.contentDir);
  const library = await ArticleLibrary.open({ contentDir: options.contentDir, cacheDir, logger, watch: false });
  const names = { topics: library.topics('', ALL_NAMES), providers: library.providers('', ALL_NAMES), findTopic: (name: string) => library.findTopic(name) };
  const loaded = { articles: library.all(), names };
  await library.close();
  return loaded;
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
    if (!error.message) {
      console.log(USAGE);
      return 0;
    }
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  let articles: readonly Article[];
  try {
    const loaded = await loadArticles(options, config, logger);
    articles = loaded.articles;
    const unknown = unknownFilterNames(articles, loaded.names, options.settings);
    if (unknown.length > 0) throw new UsageError(unknown.join('\n'));
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
