// The persistent state as every other module sees it, whichever database holds it: SQLite (one machine, the
// default) or PostgreSQL (DATABASE_URL=postgres://…, shared by several processes). Both implementations pass the same
// contract tests (test/store-contract.test.ts); nothing outside src/state knows which one it talks to.
import type { OwedPublication, Plan, RunMessage, RunRecord, RunSlot, RunStatus, RunTarget, Subscription, SubscriptionInput } from './types.js';

/** Another digest of the server already has the name asked for. */
export class NameTakenError extends Error {
  constructor(readonly holder: Subscription) {
    super(`a digest named "${holder.name}" already exists in this server`);
  }
}

/** A new digest would take its server past the most it may hold (SaveOptions.maxPerServer): nothing was saved. */
export class ServerFullError extends Error {
  constructor(readonly count: number) {
    super(`this server already has ${count} digests`);
  }
}

/**
 * A claim's plan holds stories its channel was sent, or that another unfinished run of the channel planned, after the
 * plan was read (two digests of one channel planned at the same moment by two processes): nothing was written. The
 * digest is planned again from the state as it is now, which leaves those stories out.
 */
export class PlanOutdatedError extends Error {
  constructor(readonly urls: readonly string[]) {
    super(`${urls.length === 1 ? 'a story' : `${urls.length} stories`} of the plan reached the channel or another of its runs while it was made`);
  }
}

/**
 * A run is leased by another process: a write meant for its owner only (recording a message, its outcome) was
 * refused. The run is left to that owner, or to whoever takes it over once the lease expires.
 */
export class LeaseLostError extends Error {
  constructor(readonly runId: number) {
    super(`run ${runId} is leased by another process`);
  }
}

/**
 * Who sends a run. A process leases each run it claims or takes over for `leaseMs`, renews the lease while it
 * sends, and releases it with the run's outcome; a run whose lease expired (its process crashed) may be taken over.
 */
export interface LeaseOptions {
  /** This process, unique among every process sharing the database (host, pid and a random part). */
  owner: string;
  leaseMs: number;
}

export interface ClaimOptions {
  /**
   * The subscription as the plan was made from it (its updatedAt): a claim after the subscription changed is refused
   * (undefined), so a digest planned ahead of its slot never posts what it was before an edit.
   */
  madeFrom?: Date;
}

export interface SaveOptions {
  /** Replacing keeps a pause and its reason (an edit of some settings changes only those). */
  keepPause?: boolean;
  /**
   * A new digest is refused with ServerFullError when its server holds this many already. Counted and saved as one
   * step, whichever processes save at once: checked beforehand, two saves could both pass and make one too many.
   */
  maxPerServer?: number;
}

export interface StateStore {
  /** Where the state is, for messages that tell an admin where a problem is (a file path, or a URL without password). */
  readonly location: string;
  /** This process's lease identity. */
  readonly lease: LeaseOptions;
  close(): Promise<void>;

  /**
   * Creates a subscription, or replaces the one with `id`. Replacing resumes it and clears the pause reason, unless
   * `keepPause`. Re-applying identical values to an active subscription changes nothing. Throws NameTakenError when
   * another digest of the server has the name, ServerFullError when a new one would take it past `maxPerServer`.
   * A change, a pause or a removal withdraws the digest's runs planned ahead of their slot (nothing of them sent), in
   * the same step: the slot is planned again from the digest as it is then, or not at all.
   */
  saveSubscription(input: SubscriptionInput, id?: number, options?: SaveOptions): Promise<Subscription>;
  getSubscription(id: number): Promise<Subscription | undefined>;
  /** The server's digest with this name, case ignored. */
  findSubscriptionByName(guildId: string, name: string): Promise<Subscription | undefined>;
  /** Every subscription, or a server's, or a channel's, oldest first. */
  listSubscriptions(where?: { guildId?: string; channelId?: string }): Promise<Subscription[]>;
  /** Pauses or resumes; false when there is no such subscription. Resuming clears the reason. */
  setPaused(id: number, paused: boolean, reason?: string | null): Promise<boolean>;
  /** Deletes the subscription; the stories its channel received and its runs stay recorded (not those planned ahead). */
  removeSubscription(id: number): Promise<boolean>;

  /** When each story (by URL) became eligible; empty until the library was first dated. */
  eligibility(): Promise<Map<string, number>>;
  eligibilityStarted(): Promise<boolean>;
  /**
   * Records stories newly seen published (the earliest sighting wins) and forgets those no longer published. It marks
   * the library as first dated unless `started` is false: the first dating written in parts is marked by its last.
   */
  updateEligibility(added: ReadonlyMap<string, number>, removed: readonly string[], options?: { started?: boolean }): Promise<void>;

  /** Every story URL the channel received. */
  seenUrls(channelId: string): Promise<Set<string>>;
  /** Every story URL an unfinished run of the channel still has to post. */
  plannedUrls(channelId: string): Promise<Set<string>>;
  /** When the subscription's latest run before `slot` that considered stories was planned, or null. */
  lastPlannedAt(subscriptionId: number, slot: Date): Promise<Date | null>;

  findRun(subscriptionId: number, slot: Date): Promise<RunRecord | undefined>;
  /** The runs that exist of these slots, in one look-up (the scheduler's due slots: one round trip, not one each). */
  findRuns(slots: readonly RunSlot[]): Promise<RunRecord[]>;
  getRun(runId: number): Promise<RunRecord | undefined>;
  /**
   * Claims the slot and stores its plan atomically, leased to this process from the later of now and the slot (a run
   * planned ahead of its slot stays this process's until a lease past it): either the run exists with every planned
   * message, or nothing was written. `plan` is made beforehand (planning reads the store, which a transaction here
   * would have to wait for) and stored only when the slot was free. Undefined when the slot was already claimed
   * (by any process), or another process is claiming it at this moment. The claims of one channel are checked one at a
   * time, whichever processes make them: a plan holding a story the channel was sent, or another unfinished run of the
   * channel planned, is refused with PlanOutdatedError (nothing written), so no two runs of a channel carry one story.
   */
  claimRun(target: RunTarget, slot: Date, plan: Plan, options?: ClaimOptions): Promise<RunRecord | undefined>;
  /** Records a slot closed without any message (missed too long ago, or its digest could not be built). */
  closeSlot(target: RunTarget, slot: Date, status: 'failed' | 'skipped', outcome: string): Promise<RunRecord | undefined>;
  /** Runs with planned messages not all posted yet (those planned ahead of their slot too), oldest slot first, whoever leases them. */
  pendingRuns(): Promise<RunRecord[]>;
  /**
   * Leases a pending run to this process if it is free, expired or already this process's (PostgreSQL: a row lock
   * taken with SKIP LOCKED, so two processes never wait on each other); undefined if another process holds it.
   */
  takeRun(runId: number): Promise<RunRecord | undefined>;
  /** Extends this process's lease on the run; false when the lease is no longer this process's. */
  renewLease(runId: number): Promise<boolean>;

  /** The run's planned messages in order, with the Discord message id of those already posted. */
  runMessages(runId: number): Promise<RunMessage[]>;
  /** Notes that the message is about to be handed to Discord. Throws LeaseLostError unless this process leases the run. */
  markAttempted(runId: number, index: number): Promise<void>;
  /**
   * Records one posted message and the stories it carried, in one transaction; `publish` marks it owed to the
   * channel's followers in that same transaction. Throws LeaseLostError unless this process leases the run.
   */
  recordSent(runId: number, index: number, messageId: string, publish?: boolean): Promise<void>;
  /** The channel's messages owed to its followers, sent at most `maxAgeMs` ago, oldest first. */
  owedPublications(channelId: string, maxAgeMs: number): Promise<OwedPublication[]>;
  /** A message owed to the followers was published, or Discord refused it for good. */
  settlePublication(runId: number, index: number, state: 'published' | 'refused'): Promise<void>;
  /**
   * Sets the run's status and outcome (shown as its subscription's last result) and releases the lease, so a run
   * left `sending` is free for the next attempt by any process. Throws LeaseLostError when another process holds an
   * unexpired lease on it.
   */
  setRunOutcome(runId: number, status: RunStatus, outcome: string): Promise<void>;
}
