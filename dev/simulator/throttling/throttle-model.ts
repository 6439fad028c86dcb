/**
 * Decides whether a request is throttled and keeps the numbers benchmarks read. Every limit is a
 * token bucket keyed by its scope (app+tenant, app, tenant, app+mailbox). Time is simulated:
 * with timeScale 0.01 a 10 s window passes in 100 ms of real time and Retry-After is 100× shorter.
 */
import type { Clock } from "../clock.js";
import type { ThrottleCharge } from "./costs.js";
import { LIMITS, type LimitSpec } from "./limits.js";
import { TokenBucket } from "./token-bucket.js";

export interface ThrottlingOptions {
  /** false: nothing is refused, but consumption is still counted (minimal wait stays meaningful). */
  readonly enabled: boolean;
  /** 1 = real time; 0.01 = windows and Retry-After 100× shorter. */
  readonly timeScale: number;
}

export const DEFAULT_THROTTLING: ThrottlingOptions = { enabled: true, timeScale: 1 };

export interface ThrottleSubject {
  readonly tenantId: string;
  readonly userCount: number;
  readonly appId: string;
}

export type ThrottleDecision =
  | { readonly allowed: true; /** x-ms-throttle-limit-percentage when above 0.8. */ readonly limitPercentage?: number }
  | {
      readonly allowed: false;
      /** Real seconds; undefined for limits whose 429 carries no Retry-After. */
      readonly retryAfterSeconds?: number;
      readonly scope: string;
      readonly information: string;
      readonly limitId: string;
    };

export interface LimitStats {
  readonly limitId: string;
  readonly key: string;
  readonly consumed: number;
  readonly capacity: number;
  readonly windowSeconds: number;
  readonly throttled: number;
}

export interface ThrottleStats {
  /** Least real time the accepted requests needed under Graph's limits (benchmark lower bound). */
  readonly minimalWaitMs: number;
  readonly throttled: number;
  /** Sum of the Retry-After values sent (ms). */
  readonly retryAfterTotalMs: number;
  readonly limits: readonly LimitStats[];
}

interface Entry {
  readonly spec: LimitSpec;
  readonly bucket: TokenBucket;
  readonly tenantId?: string;
}

export class ThrottleModel {
  private readonly buckets = new Map<string, Entry>();
  private readonly retryAfterMs = new Map<string, number>();

  constructor(
    readonly options: ThrottlingOptions,
    private readonly clock: Clock,
  ) {
    if (!(options.timeScale > 0)) throw new RangeError(`throttling.timeScale must be > 0, got ${options.timeScale}`);
  }

  /** Simulated seconds. */
  private now(): number {
    return this.clock.now() / 1000 / this.options.timeScale;
  }

  /** Takes the tokens when every applicable limit has them; otherwise refuses without taking any. */
  decide(subject: ThrottleSubject, charge: ThrottleCharge): ThrottleDecision {
    const now = this.now();
    const entries = LIMITS.filter((spec) => charge.kinds.includes(spec.kind)).map((spec) => this.entry(spec, subject, charge.mailbox));
    const cost = (e: Entry): number => (e.spec.unit === "resourceUnits" ? charge.resourceUnits : 1);
    if (this.options.enabled) {
      const waits = entries.map((e) => ({ e, wait: e.bucket.waitFor(cost(e), now) })).filter((w) => w.wait > 0);
      const worst = waits.sort((a, b) => b.wait - a.wait)[0];
      if (worst) {
        for (const { e } of waits) e.bucket.throttled++;
        return this.refusal(worst.e, worst.wait, subject);
      }
    }
    for (const e of entries) e.bucket.take(cost(e), now);
    if (!this.options.enabled) return { allowed: true };
    const percentages = entries
      .filter((e) => e.spec.kind === "resourceUnits" || e.spec.kind === "writes")
      .map((e) => e.bucket.usedFraction(now));
    const highest = Math.max(0, ...percentages);
    return highest > 0.8 ? { allowed: true, limitPercentage: highest } : { allowed: true };
  }

  stats(tenantId: string): ThrottleStats {
    const mine = [...this.buckets].filter(([, e]) => e.tenantId === tenantId);
    const minimalSeconds = Math.max(0, ...mine.map(([, e]) => e.bucket.minimalElapsedSeconds()));
    return {
      minimalWaitMs: minimalSeconds * this.options.timeScale * 1000,
      throttled: mine.reduce((n, [, e]) => n + e.bucket.throttled, 0),
      retryAfterTotalMs: this.retryAfterMs.get(tenantId) ?? 0,
      limits: mine.map(([key, e]) => ({
        limitId: e.spec.id,
        key,
        consumed: e.bucket.consumed,
        capacity: e.bucket.capacity,
        windowSeconds: e.spec.windowSeconds,
        throttled: e.bucket.throttled,
      })),
    };
  }

  /**
   * The app-wide limits (reports 122 / 10 s per app, writes per app) of one app, across tenants:
   * `minimalWaitMs` is the least time all tenants' accepted requests needed under them.
   */
  appStats(appId: string): ThrottleStats {
    const mine = [...this.buckets].filter(([key, e]) => e.tenantId === undefined && e.spec.scope === "app" && key.split("|")[1] === appId);
    const minimalSeconds = Math.max(0, ...mine.map(([, e]) => e.bucket.minimalElapsedSeconds()));
    return {
      minimalWaitMs: minimalSeconds * this.options.timeScale * 1000,
      throttled: mine.reduce((n, [, e]) => n + e.bucket.throttled, 0),
      retryAfterTotalMs: 0,
      limits: mine.map(([key, e]) => ({
        limitId: e.spec.id,
        key,
        consumed: e.bucket.consumed,
        capacity: e.bucket.capacity,
        windowSeconds: e.spec.windowSeconds,
        throttled: e.bucket.throttled,
      })),
    };
  }

  /** Forgets the app-wide buckets of every app (full again). */
  resetApps(): void {
    for (const [key, e] of this.buckets) if (e.tenantId === undefined) this.buckets.delete(key);
  }

  /** Forgets a tenant's buckets (full again) and counters. */
  resetTenant(tenantId: string): void {
    for (const [key, e] of this.buckets) if (e.tenantId === tenantId) this.buckets.delete(key);
    this.retryAfterMs.delete(tenantId);
  }

  private refusal(e: Entry, waitSeconds: number, subject: ThrottleSubject): ThrottleDecision {
    const scope = e.spec.scopeHeader({ appId: subject.appId, tenantId: subject.tenantId });
    const base = { allowed: false as const, scope, information: e.spec.information, limitId: e.spec.id };
    if (!e.spec.retryAfter) return base;
    // Round up to the millisecond so a client that waits exactly Retry-After finds the tokens there.
    const retryAfterSeconds = Math.max(0.001, Math.ceil(waitSeconds * this.options.timeScale * 1000) / 1000);
    this.retryAfterMs.set(subject.tenantId, (this.retryAfterMs.get(subject.tenantId) ?? 0) + retryAfterSeconds * 1000);
    return { ...base, retryAfterSeconds };
  }

  private entry(spec: LimitSpec, subject: ThrottleSubject, mailbox?: string): Entry {
    // Mailboxes live in a tenant, so only the app-wide limits are shared across tenants.
    const tenantScoped = spec.scope !== "app";
    const key = [spec.id, spec.scope.includes("app") ? subject.appId : "", tenantScoped ? subject.tenantId : "", mailbox ?? ""].join("|");
    const capacity = spec.capacity(subject.userCount);
    const existing = this.buckets.get(key);
    if (existing) {
      existing.bucket.capacity = capacity; // the tenant may have grown past a size boundary
      return existing;
    }
    const created: Entry = {
      spec,
      bucket: new TokenBucket(capacity, spec.windowSeconds, this.now()),
      ...(tenantScoped ? { tenantId: subject.tenantId } : {}),
    };
    this.buckets.set(key, created);
    return created;
  }
}
