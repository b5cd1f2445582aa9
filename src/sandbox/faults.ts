// Faults a test injects: the next N REST requests (optionally only those whose path contains `route`) fail with
// 429 or 500 before the sandbox handles them, so the request has no effect and the client must retry it; or they
// take effect at once and are answered late, as a post that reached Discord while its answer is still on the way; or
// they arrive late, as over a slow network or at a busy Discord: counted against the rate limits when they arrive.

export interface RestFault {
  status: 429 | 500;
  global: boolean;
  route: string | undefined;
}

interface Delay {
  delayMs: number;
  route: string | undefined;
}

const takeFirst = <T extends { route: string | undefined }>(queue: T[], path: string): T | undefined => {
  const index = queue.findIndex((f) => f.route === undefined || path.includes(f.route));
  return index < 0 ? undefined : queue.splice(index, 1)[0];
};

export class RestFaults {
  private readonly pending: RestFault[] = [];
  private readonly slowAnswers: Delay[] = [];
  private readonly slowTrips: Delay[] = [];

  add(count: number, fault: RestFault): void {
    for (let i = 0; i < count; i++) this.pending.push(fault);
  }

  addSlowAnswers(count: number, answer: Delay): void {
    for (let i = 0; i < count; i++) this.slowAnswers.push(answer);
  }

  addSlowTrips(count: number, trip: Delay): void {
    for (let i = 0; i < count; i++) this.slowTrips.push(trip);
  }

  /** The fault for this request, consumed, or undefined. `path` is the API path without /api/v10, e.g. /channels/1/messages. */
  take(path: string): RestFault | undefined {
    return takeFirst(this.pending, path);
  }

  /** How long to hold this request's answer after handling it (consumed), or 0. */
  takeAnswerDelay(path: string): number {
    return takeFirst(this.slowAnswers, path)?.delayMs ?? 0;
  }

  /** How long this request is on its way before the sandbox sees it (consumed), or 0. */
  takeTripDelay(path: string): number {
    return takeFirst(this.slowTrips, path)?.delayMs ?? 0;
  }
}

/** How long an injected 429 asks the client to wait: short, so a test survives several within its time bound. */
export const FAULT_RETRY_AFTER_MS = 300;
