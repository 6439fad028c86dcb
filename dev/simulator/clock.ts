/** Time source for throttling windows and token expiry; tests inject a ManualClock. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to (deterministic throttling tests). */
export class ManualClock implements Clock {
  constructor(private current = Date.parse("2025-01-01T00:00:00Z")) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
