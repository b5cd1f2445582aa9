// What the bot's event loop went through, as measure-hook.mjs reads it inside the bot: its longest delays and the
// garbage collector's pauses, picked out by the window of the bot's life a benchmark asks about.

/** The longest delay of one sample: [end of the sample (ms since the epoch), delay in ms]. */
export type LoopDelay = [end: number, ms: number];
/** One pause of the collector on the bot's thread: [start (ms since the epoch), pause in ms, kind]. */
export type GcPause = [start: number, ms: number, kind: string];

export interface LoopReport {
  /** How long each delay sample is (ms). */
  sampleMs: number;
  /** The samples with a delay over 20 ms. */
  delays: LoopDelay[];
  /** Every pause of 1 ms or more, forced ones left out. */
  gcPauses: GcPause[];
}

/** A major collection: it marks and compacts the whole heap, in one pause on the bot's thread. */
const MAJOR_GC = 'mark-compact';

/** The longest delay that began in [from, to) (times in ms since the epoch: a delay began its length before its end), or null. */
function longestDelay(report: LoopReport, from: number, to: number): LoopDelay | null {
  const delays = report.delays.filter(([end, ms]) => end - ms >= from && end - ms < to);
  return delays.reduce<LoopDelay | null>((longest, delay) => (!longest || delay[1] > longest[1] ? delay : longest), null);
}

/** The longest pause (of `kind`, or any) that began in [from, to), or null. */
function longestPause(report: LoopReport, from: number, to: number, kind?: string): GcPause | null {
  const pauses = report.gcPauses.filter(([start, , k]) => start >= from && start < to && (kind === undefined || k === kind));
  return pauses.reduce<GcPause | null>((longest, pause) => (!longest || pause[1] > longest[1] ? pause : longest), null);
}

/**
 * The collector's pauses (ms) within the sample of `delay` and its length before: the delay lies somewhere in there,
 * so this is as much of it as the collector could have taken.
 */
function gcAround(report: LoopReport, [end, ms]: LoopDelay): number {
  return report.gcPauses.filter(([start, pause]) => start + pause > end - report.sampleMs - ms && start < end).reduce((sum, [, pause]) => sum + pause, 0);
}

/** One window of the bot's life: its longest delay, and beside it the collector's pauses. */
export interface LoopWindow {
  blockMs: number;
  /** The longest pause of any kind, and the longest major one (ms, 0 for none). */
  gc: GcPause | null;
  majorMs: number;
  /** The pauses around the longest delay (see gcAround). */
  gcAroundMs: number;
}

/** The window [from, to) of `report` (times in ms since the epoch). */
export function loopWindow(report: LoopReport, from: number, to: number): LoopWindow {
  const block = longestDelay(report, from, to);
  return {
    blockMs: block?.[1] ?? 0,
    gc: longestPause(report, from, to),
    majorMs: longestPause(report, from, to, MAJOR_GC)?.[1] ?? 0,
    gcAroundMs: block ? gcAround(report, block) : 0,
  };
}

/** A pause for a table: "61 mark-compact", or "–" for none. */
export const pauseText = (pause: GcPause | null) => (pause ? `${Math.round(pause[1])} ${pause[2]}` : '–');

/**
 * What the longest mark-compact says of a goal for the longest block: over it, the collector alone is a floor (V8
 * makes one whenever the heap has grown enough, and its pause grows with the live heap).
 */
export function majorGcVerdict(majorMs: number, goalMs: number, articles: number, when: string): string {
  const ms = Math.round(majorMs);
  const heap = `the bot's heap at ${articles.toLocaleString('en')} articles`;
  return ms > goalMs
    ? `A single mark-compact of ${heap} held its thread for up to ${ms} ms ${when}, over the ${goalMs} ms goal on its own: V8 makes one whenever the heap has grown enough, and its pause grows with the live heap, so while the articles live in the bot's heap ${ms} ms is a floor for this row on this machine.`
    : `The longest mark-compact of ${heap} ${when}: ${ms} ms, within the ${goalMs} ms goal: a major collection alone does not put this row out of reach.`;
}
