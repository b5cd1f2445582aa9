/** Where "now" comes from: the system clock in production, a controlled one in tests of schedules. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
