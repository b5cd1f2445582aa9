// Preloaded into the bot's process by the benchmarks (`node --expose-gc --import this`; plain JavaScript, so the
// compiled bot can load it as well as the one run from its sources). On the parent's message 'memory' it forces full
// garbage collections and answers with process.memoryUsage(), so the figure is the bot's own live memory and not
// garbage not yet collected. On 'loop' it answers with the event loop's longest delay (perf_hooks
// monitorEventLoopDelay) in every 100 ms since the start that had one over 20 ms, as [end time (ms since the epoch,
// as the bot's log lines), delay in ms], so a benchmark can tell which part of the bot's life blocked it, and how long.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import process from 'node:process';
import { setInterval } from 'node:timers';

const gc = globalThis.gc;
const SAMPLE_MS = 100;
const NOTED_MS = 20;

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const delays = [];
setInterval(() => {
  if (delay.max / 1e6 > NOTED_MS) delays.push([Date.now(), delay.max / 1e6]);
  delay.reset();
}, SAMPLE_MS).unref();

process.on('message', (message) => {
  if (message === 'memory') {
    gc?.();
    gc?.();
    process.send?.({ ...process.memoryUsage(), gc: gc !== undefined });
  } else if (message === 'loop') {
    process.send?.({ delays });
  }
});
// The IPC channel must not keep the bot alive once it decides to exit.
process.channel?.unref();
