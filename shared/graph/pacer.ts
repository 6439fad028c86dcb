/**
 * Keeps the pacing schedules of one app registration in one process and makes requests wait for
 * their turn. Two stages: first the request's own tenant limits (booked ahead, first come first
 * served), then the app-wide reports budget that every tenant scanned here shares, handed out
 * when a slot is free, sign-in pages first.
 */
import {
  availableAt,
  holdUntil,
  IDLE,
  paceSchedules,
  reserve,
  take,
  type PaceClass,
  type PacedLimit,
  type PaceSchedule,
  type PaceState,
  type PacingOptions,
} from "./pacing-policy.js";

type TenantLimit = Exclude<PacedLimit, "reportsPerApp">;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A tenant's schedules as plain data, so a scan continued in another process keeps its pace. */
export type TenantPaceState = Readonly<Partial<Record<TenantLimit, number>>>;

interface Waiter {
  readonly critical: boolean;
  readonly resolve: () => void;
}

export class Pacer {
  readonly #schedules: Readonly<Record<PacedLimit, PaceSchedule>>;
  readonly #tenants = new Map<string, Map<TenantLimit, PaceState>>();
  #app: PaceState = IDLE;
  readonly #waiters: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: PacingOptions = {}) {
    this.#schedules = paceSchedules(options);
  }

  /** Waits until the request may be sent; resolves with the milliseconds waited. */
  async acquire(tenantId: string, pace: PaceClass): Promise<number> {
    const startedAt = Date.now();
    if (pace.tenantLimits.length > 0) {
      const states = this.#tenant(tenantId);
      const entries = pace.tenantLimits.map((limit) => ({ schedule: this.#schedules[limit], state: states.get(limit) ?? IDLE }));
      const booked = reserve(entries, startedAt);
      pace.tenantLimits.forEach((limit, i) => states.set(limit, booked.states[i] ?? IDLE));
      const wait = booked.startInMs - startedAt;
      if (wait > 0) await sleep(wait);
    }
    if (pace.perApp) await this.#appSlot(pace.priority === "critical");
    return Math.max(0, Date.now() - startedAt);
  }

  /** Graph refused a request anyway: hold its limits until Retry-After has passed. */
  hold(tenantId: string, pace: PaceClass, untilInMs: number): void {
    const states = this.#tenant(tenantId);
    for (const limit of pace.tenantLimits) states.set(limit, holdUntil(this.#schedules[limit], states.get(limit) ?? IDLE, untilInMs));
  }

  exportTenant(tenantId: string): TenantPaceState {
    return Object.fromEntries([...(this.#tenants.get(tenantId) ?? [])].map(([limit, state]) => [limit, state.tatInMs]));
  }

  /** Restores what exportTenant gave (a continued scan); later than what we hold wins. */
  importTenant(tenantId: string, saved: TenantPaceState): void {
    const states = this.#tenant(tenantId);
    for (const [limit, tatInMs] of Object.entries(saved) as [TenantLimit, number][]) {
      if (typeof tatInMs === "number" && tatInMs > (states.get(limit)?.tatInMs ?? 0)) states.set(limit, { tatInMs });
    }
  }

  /** Drops a tenant's schedules once its scan has ended (a later scan starts with full bursts). */
  forgetTenant(tenantId: string): void {
    this.#tenants.delete(tenantId);
  }

  #tenant(tenantId: string): Map<TenantLimit, PaceState> {
    let states = this.#tenants.get(tenantId);
    if (!states) {
      states = new Map();
      this.#tenants.set(tenantId, states);
    }
    return states;
  }

  #appSlot(critical: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiter = { critical, resolve };
      // Critical waiters go before every normal one, in arrival order among themselves.
      const at = critical ? this.#waiters.findIndex((w) => !w.critical) : -1;
      if (at === -1) this.#waiters.push(waiter);
      else this.#waiters.splice(at, 0, waiter);
      this.#release();
    });
  }

  /** Hands out free app-wide slots to waiters, then sleeps until the next slot frees. */
  #release(): void {
    const schedule = this.#schedules.reportsPerApp;
    for (;;) {
      if (this.#waiters.length === 0) return;
      const now = Date.now();
      const at = availableAt(schedule, this.#app);
      if (at > now) {
        if (this.#timer === undefined) {
          this.#timer = setTimeout(() => {
            this.#timer = undefined;
            this.#release();
          }, Math.ceil(at - now));
        }
        return;
      }
      this.#app = take(schedule, this.#app, now);
      this.#waiters.shift()?.resolve();
    }
  }
}

const shared = new Map<string, Pacer>();

/**
 * The process-wide pacer of one app registration: the app-wide reports budget is shared by every
 * tenant scanned in this process, so every Graph client of the app must use the same pacer.
 * Pacers are kept per app and options (tests with other time scales get their own).
 */
export function sharedPacer(appId: string, options: PacingOptions = {}): Pacer {
  const key = `${appId}|${JSON.stringify(options)}`;
  let pacer = shared.get(key);
  if (!pacer) {
    pacer = new Pacer(options);
    shared.set(key, pacer);
  }
  return pacer;
}
