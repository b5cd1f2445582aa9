// Starting a worker thread on a module of src/articles, as compiled JavaScript (dist/, npm run start:prod) or from
// the TypeScript sources (npm start and the tests run under tsx).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const here = import.meta.url;

/**
 * A worker running the module `name` of this folder ('parse-worker'). A worker inherits none of the process's
 * flags (a benchmark's --import hooks, say). From the TypeScript sources it registers tsx's CommonJS loader, which
 * transforms and loads in the worker's own thread: tsx's ESM loader, the other way, starts a hooks thread per
 * worker, and a parse worker took 0.33-0.72 s to be ready that way, 0.17-0.25 s this way.
 */
export function startWorker(name: string): Worker {
  const options = { execArgv: [] };
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, here), options);
  const tsx = createRequire(here).resolve('tsx/cjs/api');
  const entry = fileURLToPath(new URL(`./${name}.ts`, here));
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`, { ...options, eval: true });
}
