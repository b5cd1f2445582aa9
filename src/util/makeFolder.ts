// Creating a folder and its missing parents without fs.mkdir's `recursive`: on a file system that refuses a new
// folder with ENOENT although its parent exists (procfs: /proc/newsdesk), Node's recursive mkdir retries the parent,
// finds it there, tries the folder again, and never returns, at full CPU.
import fs from 'node:fs';
import path from 'node:path';

/** Creates `dir` and any missing parents, one level at a time; throws the first refusal as the file system gives it. */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !fs.existsSync(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder);
    } catch (error) {
      // Made by someone else meanwhile: what matters is that it is there now.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(folder).isDirectory()) throw error;
    }
  }
}
