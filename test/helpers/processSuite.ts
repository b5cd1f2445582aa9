// A test file that starts real bot processes against one sandbox: the sandbox, the fixture articles in
// `root`/content, a fresh folder for each case, and the clean-up, registered with node:test's hooks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { createLogger } from '../../src/log.js';
import { DiscordSandbox } from '../../src/sandbox/server.js';
import { writeFixtureArticles } from './bot.js';
import { killBotProcesses } from './botProcess.js';

export interface ProcessSuite {
  /** The sandbox, once `before` has run. */
  readonly sandbox: DiscordSandbox;
  root: string;
  contentDir: string;
  /** A new empty folder for one case, which any user may enter. */
  fresh(): string;
}

export function processSuite(prefix: string): ProcessSuite {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(root, 0o755);
  const contentDir = path.join(root, 'content');
  let sandbox: DiscordSandbox | undefined;
  let cases = 0;
  before(async () => {
    sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
    writeFixtureArticles(contentDir, new Date());
  });
  after(async () => {
    killBotProcesses();
    await sandbox?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });
  return {
    get sandbox() {
      return sandbox!;
    },
    root,
    contentDir,
    fresh() {
      const dir = path.join(root, `case-${++cases}`);
      fs.mkdirSync(dir, { mode: 0o755 });
      return dir;
    },
  };
}
