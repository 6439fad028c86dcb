/**
 * A token bucket in simulated seconds: `capacity` tokens, refilled continuously at
 * capacity / window. Graph documents its identity limits as a token bucket; the simulator uses
 * the same shape for the per-request limits (reports, Conditional Access, Outlook).
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  /** Everything ever taken: the benchmark's lower bound on elapsed time comes from it. */
  consumed = 0;
  throttled = 0;

  constructor(
    public capacity: number,
    readonly windowSeconds: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.updatedAt = now;
  }

  get refillPerSecond(): number {
    return this.capacity / this.windowSeconds;
  }

  /** Seconds until `cost` tokens are available (0: now). A cost above capacity waits for a full bucket. */
  waitFor(cost: number, now: number): number {
    this.refill(now);
    const needed = Math.min(cost, this.capacity) - this.tokens;
    return needed <= 0 ? 0 : needed / this.refillPerSecond;
  }

  take(cost: number, now: number): void {
    this.refill(now);
    this.tokens -= Math.min(cost, this.capacity);
    this.consumed += cost;
  }

  /** Share of the capacity in use, 0–1. */
  usedFraction(now: number): number {
    this.refill(now);
    return (this.capacity - this.tokens) / this.capacity;
  }

  /** Least time anyone could have needed to consume `consumed` starting from a full bucket. */
  minimalElapsedSeconds(): number {
    return Math.max(0, this.consumed - this.capacity) / this.refillPerSecond;
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.refillPerSecond);
      this.updatedAt = now;
    }
  }
}
