// The search index's worker thread (see index-jobs.ts): one job, then the library ends it.
import { parentPort } from 'node:worker_threads';
import { jobHandler, type JobMessage } from './index-jobs.js';

const port = parentPort!;
const handle = jobHandler((answer, transfer) => port.postMessage(answer, transfer));
port.on('message', (message: JobMessage) => void handle(message));
