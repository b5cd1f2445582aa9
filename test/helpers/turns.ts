// How much of the event loop a piece of work leaves to the rest of the process: other work is only done between
// its steps, so counting the turns taken meanwhile (a callback scheduling itself again on each) shows whether the
// work holds the thread in one go (no turn) or gives it back as it goes.

/** How many turns the event loop took while `work` ran. */
export async function turnsDuring<T>(work: () => Promise<T> | T): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let running = true;
  const count = () => {
    if (!running) return;
    turns++;
    setImmediate(count);
  };
  setImmediate(count);
  const value = await work();
  running = false;
  return { value, turns };
}
