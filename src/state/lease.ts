// Who this process is when it leases a run (see LeaseOptions): shared by every StateStore implementation.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { LeaseOptions } from './stateStore.js';

/**
 * How long a claimed run stays this process's without a renewal. Long enough that a process sending normally
 * renews well before it ends, short enough that a crashed process's run is taken over well inside the few minutes
 * in which Discord honours `enforce_nonce`.
 */
export const DEFAULT_LEASE_MS = 30_000;

/**
 * Host and pid say which process holds a run (for an operator reading the database); the random part keeps two
 * processes apart when a pid is reused, on one host or on two containers with the same host name.
 */
function defaultLeaseOwner(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export function defaultLease(): LeaseOptions {
  return { owner: defaultLeaseOwner(), leaseMs: DEFAULT_LEASE_MS };
}
