// Preloaded into the bot's process by the benchmarks (`node --expose-gc --import tsx --import this`): on the parent's
// message 'memory' it forces full garbage collections and answers with process.memoryUsage(), so the figure is
// the bot's own live memory and not garbage not yet collected.
const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (message) => {
  if (message !== 'memory') return;
  gc?.();
  gc?.();
  process.send?.({ ...process.memoryUsage(), gc: gc !== undefined });
});
// The IPC channel must not keep the bot alive once it decides to exit.
process.channel?.unref();
