import { ConfigError, loadConfig } from './config.js';
import { log } from './log.js';

try {
  const config = loadConfig();
  log.info({ event: 'startup', contentDir: config.contentDir, sandbox: !config.discordToken }, 'Newsdesk starting');
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
