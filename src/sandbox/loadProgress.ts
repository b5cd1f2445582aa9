// What the terminal shows while `npm start` loads a large content folder in the interactive sandbox demo, where
// log lines go to a file: without it the first minute of a 50,000-file folder was a silent `> tsx src/main.ts`.
import type { LoadProgress } from '../articles/library.js';
import { plural } from '../util/text.js';

// Often enough to look alive, rarely enough that redrawing the line costs nothing.
const REDRAW_MS = 100;

/** A progress listener that redraws one line on `out` (a terminal) as files are parsed, then says what comes next. */
export function terminalLoadProgress(out: NodeJS.WritableStream): (progress: LoadProgress) => void {
  let drawn = 0;
  return (progress) => {
    if (progress.phase === 'indexing') {
      out.write(`${drawn ? '\n' : ''}  ${plural(progress.articles, 'article', 'articles')} ready; building the search index in the background…\n`);
      return;
    }
    const last = progress.done === progress.total;
    if (!last && Date.now() - drawn < REDRAW_MS) return;
    drawn = Date.now();
    out.write(`\r  Loading articles: ${progress.done.toLocaleString('en-US')} of ${plural(progress.total, 'file', 'files')} parsed`);
  };
}
