// Preloaded into the bot's process by the benchmarks (`node --expose-gc --import this`; plain JavaScript, so the
// compiled bot can load it as well as the one run from its sources). On the parent's message 'memory' it forces full
// garbage collections and answers with process.memoryUsage(), so the figure is the bot's own live memory and not
// garbage not yet collected. On 'loop' it answers with every block of the event loop over 20 ms since the start (a
// 10 ms timer's lateness), as [end time (ms since the epoch, as the bot's log lines), block in ms], so a benchmark can
// tell which part of the bot's life blocked it, and how long;
// and with every pause of the garbage collector on the bot's thread of 1 ms or more (a PerformanceObserver of 'gc'
// entries, the pauses the parent forced left out) as [start time (ms since the epoch), pause in ms, kind], so the
// same windows show how much of a block the collector alone could be.
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';
import process from 'node:process';
import { setInterval } from 'node:timers';

const gc = globalThis.gc;
const SAMPLE_MS = 10;
const NOTED_MS = 20;
const NOTED_GC_MS = 1;
// V8's names: a major collection marks the whole heap and compacts it, a minor one scavenges the young generation.
const GC_KINDS = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

// A short timer's own lateness is the block that held it: each one is seen whole, whichever callback ran before it.
// (monitorEventLoopDelay's maximum, read and reset every 100 ms, lost a block whenever the reading ran first after
// it: the longest block at the bot's connection was missed in 12 windows of 18.)
const delays = [];
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  const blocked = now - last - SAMPLE_MS;
  if (blocked > NOTED_MS) delays.push([Date.now(), blocked]);
  last = now;
}, SAMPLE_MS).unref();

const gcPauses = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const { kind, flags } = entry.detail ?? {};
    if (entry.duration < NOTED_GC_MS || flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) continue;
    gcPauses.push([performance.timeOrigin + entry.startTime, entry.duration, GC_KINDS[kind] ?? `kind ${kind}`]);
  }
}).observe({ entryTypes: ['gc'] });

process.on('message', (message) => {
  if (message === 'memory') {
    gc?.();
    gc?.();
    process.send?.({ ...process.memoryUsage(), gc: gc !== undefined });
  } else if (message === 'loop') {
    process.send?.({ sampleMs: SAMPLE_MS, delays, gcPauses });
  }
});
// The IPC channel must not keep the bot alive once it decides to exit.
process.channel?.unref();
