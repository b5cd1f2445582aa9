// Worker thread body for a cold load: reads and parses the files it is given and posts the results back.
import { parentPort, workerData } from 'node:worker_threads';
import { parseFilesHere } from './parse-pool.js';

const { contentDir, files } = workerData as { contentDir: string; files: string[] };
parentPort!.postMessage([...(await parseFilesHere(contentDir, files))]);
