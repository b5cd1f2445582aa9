// Closing an unfinished run that is not worth finishing (its digest paused or removed, its time long past), as the
// scheduler does for scheduled digests and the live runner for live ones.
import type { StateStore } from '../state/stateStore.js';
import type { RunRecord } from '../state/types.js';

/**
 * Closes the run as failed, saying why (shown as its digest's last result), once this process holds it: false when
 * another process leases it, whose business it then stays.
 */
export async function abandonRun(store: StateStore, run: Pick<RunRecord, 'id'>, why: string): Promise<boolean> {
  if (!(await store.takeRun(run.id))) return false;
  await store.setRunOutcome(run.id, 'failed', `failed: abandoned because ${why}`);
  return true;
}
