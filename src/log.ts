import pino from 'pino';

export type Logger = pino.Logger;

// Paths pino blanks out wherever they appear in a log event, so a token handed to the logger by mistake never lands.
const REDACT = ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'discordToken', '*.discordToken'];

/**
 * Structured logging: one JSON line per event on stderr (stdout belongs to the terminal prompt and CLI output).
 * `level` comes from the settings (LOG_LEVEL); `destination` lets tests capture the lines.
 */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino({ level, base: undefined, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}
