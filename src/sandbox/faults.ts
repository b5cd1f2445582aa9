// Faults a test injects: the next N REST requests (optionally only those whose path contains `route`) fail with
// 429 or 500 before the sandbox handles them, so the request has no effect and the client must retry it.

export interface RestFault {
  status: 429 | 500;
  global: boolean;
  route: string | undefined;
}

export class RestFaults {
  private readonly pending: RestFault[] = [];

  add(count: number, fault: RestFault): void {
    for (let i = 0; i < count; i++) this.pending.push(fault);
  }

  /** The fault for this request, consumed, or undefined. `path` is the API path without /api/v10, e.g. /channels/1/messages. */
  take(path: string): RestFault | undefined {
    const index = this.pending.findIndex((f) => f.route === undefined || path.includes(f.route));
    if (index < 0) return undefined;
    return this.pending.splice(index, 1)[0];
  }
}

/** How long an injected 429 asks the client to wait: short, so a test survives several within its time bound. */
export const FAULT_RETRY_AFTER_MS = 300;
