// This process's lease on a run while it sends it (see StateStore): renewed before a message once half of it has
// passed, so a run sending normally keeps it, while a process stuck on one send (or dead) lets it expire, and another
// process takes the run over.
import type { StateStore } from '../state/stateStore.js';
import type { RunRecord } from '../state/types.js';
import type { Clock } from '../util/clock.js';

export class RunLease {
  private renewedAt: number;

  constructor(
    private readonly store: Pick<StateStore, 'lease' | 'renewLease'>,
    private readonly run: Pick<RunRecord, 'id' | 'leaseUntil'>,
    private readonly clock: Clock,
  ) {
    // Counted from when the claim or takeover set it, by the store's reckoning.
    this.renewedAt = (run.leaseUntil?.getTime() ?? 0) - store.lease.leaseMs;
  }

  /** Renews the lease if half of it has passed; false when another process has taken the run over. */
  async keep(): Promise<boolean> {
    const now = this.clock.now().getTime();
    if (now - this.renewedAt < this.store.lease.leaseMs / 2) return true;
    if (!(await this.store.renewLease(this.run.id))) return false;
    this.renewedAt = now;
    return true;
  }
}
