// What the scheduler owes after a failure it cannot hand to a caller: a tick tried again soon (a store that went
// away for a minute should not leave digests unsent until the half-hourly sweep), then less and less often while
// runs keep failing with the store answering (a full disk, a channel that cannot be read), and one log line for a
// failure that repeats at every try.
import type { Logger } from '../log.js';

/** When the scheduler should tick again because runs were left unfinished by a failure. */
export class OwedRetry {
  private owed = false;
  private delayMs: number;
  private notBefore = 0;

  /** `firstDelayMs`: the wait after a first failure; doubled while tries keep failing, up to `maxDelayMs`. */
  constructor(private readonly firstDelayMs: number, private readonly maxDelayMs: number) {
    this.delayMs = firstDelayMs;
  }

  /** A run was left unfinished (its store failed, or it stopped): a tick is owed. */
  owe(): void {
    this.owed = true;
  }

  /** Whether an owed tick should run at `now`; it is then no longer owed until a run fails again. */
  take(now: number): boolean {
    if (!this.owed || now < this.notBefore) return false;
    this.owed = false;
    return true;
  }

  /**
   * After the owed tick: if it left runs unfinished again although the store answered, the next try waits twice as
   * long; if it could not even start (the store is still away), it stays owed at the same pace.
   */
  settle(now: number, started: boolean): void {
    if (!started) {
      this.owed = true;
      return;
    }
    this.delayMs = this.owed ? Math.min(this.delayMs * 2, this.maxDelayMs) : this.firstDelayMs;
    this.notBefore = this.owed ? now + this.delayMs : 0;
  }
}

/**
 * Logs a failure with its detail the first time, and the same failure again (by message: the store still refusing
 * connections) without the stack, until something succeeds, which is logged once too. A repeat concerning one run is
 * still a line (which digest waits); a timer's repeat, every half lease while the store is away, is only a debug line.
 */
export class RepeatedFailureLog {
  private current: string | undefined;

  /** `recovered`: the event of the line that says the failing work works again. */
  constructor(private readonly logger: Logger, private readonly recovered: string) {}

  /** Logs `error` with `fields` (their `event` included), in full unless it is the failure already logged. */
  failed(fields: { event: string } & Record<string, unknown>, error: unknown, message: string, repeatLevel: 'warn' | 'debug'): void {
    const problem = error instanceof Error ? error.message : String(error);
    if (problem === this.current) {
      this.logger[repeatLevel]({ ...fields, problem, repeated: true }, `${message} (again)`);
      return;
    }
    this.current = problem;
    this.logger.error({ ...fields, err: error }, message);
  }

  /** Something worked: the next failure is logged in full again. */
  succeeded(): void {
    if (this.current === undefined) return;
    this.logger.info({ event: this.recovered, problem: this.current }, 'working again after a failure');
    this.current = undefined;
  }
}
