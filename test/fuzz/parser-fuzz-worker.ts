/** Worker thread of the fuzz test: runs fuzzParser(workerData.seed, workerData.budgetMs) and
 * posts its report. An exception escaping it reaches the test as the worker's 'error'. Test-only. */
import { parentPort, workerData } from 'node:worker_threads';
import { fuzzParser } from './parser-fuzz.js';

const { seed, budgetMs } = workerData as { seed: number; budgetMs: number };
parentPort?.postMessage(fuzzParser(seed, budgetMs));
