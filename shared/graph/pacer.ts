/**
 * Keeps the pacing schedules of one app registration in one process and makes requests wait for
 * their turn. A request that counts against the app-wide reports budget (shared by every tenant
 * scanned here) is booked against that budget and its tenant's limits at the same instant, the
 * instant it is sent: booking the tenant first and then queueing for the app-wide budget would let
 * requests held back there reach Graph in one bunch and overrun their tenant's limit. Waiting
 * requests are served sign-in pages first, then in arrival order, skipping those whose tenant is
 * not ready yet (one tenant's pace never holds back another's).
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

/** setTimeout's largest delay; a longer one fires at once (the timer then re-arms). */
const MAX_TIMER_DELAY_IN_MS = 2 ** 31 - 1;

/** A tenant's schedules as plain data, so a scan continued in another process keeps its pace. */
export type TenantPaceState = Readonly<Partial<Record<TenantLimit, number>>>;

/** A request's turn: how long it waited, and when to say it was answered. */
export interface PaceGrant {
  readonly waitedInMs: number;
  /**
   * Call when the answer came. A request that found its tenant's bucket full starts Graph's count
   * only when it arrives, and a full bucket cannot hold the refill of the time in between: the
   * request's latency moves that limit's schedule (else the 15th sign-in page of a big tenant, ten
   * pages of burst and five of refill later, arrives early by the first page's latency: a 429).
   */
  answered(atInMs: number): void;
}

/** When a request was booked, and which tenant limits it found full. */
interface Booking {
  readonly startInMs: number;
  readonly opened: readonly TenantLimit[];
}

interface Waiter {
  readonly critical: boolean;
  readonly tenantId: string;
  readonly limits: readonly TenantLimit[];
  readonly resolve: (booking: Booking) => void;
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

  /** Waits until the request may be sent. */
  async acquire(tenantId: string, pace: PaceClass): Promise<PaceGrant> {
    const requestedAt = Date.now();
    let booking: Booking = { startInMs: requestedAt, opened: [] };
    if (pace.perApp) {
      booking = await this.#appSlot({ critical: pace.priority === "critical", tenantId, limits: pace.tenantLimits });
    } else if (pace.tenantLimits.length > 0) {
      booking = this.#book(tenantId, pace.tenantLimits, requestedAt);
      if (booking.startInMs > requestedAt) await sleep(booking.startInMs - requestedAt);
    }
    return { waitedInMs: Math.max(0, Date.now() - requestedAt), answered: (atInMs) => this.#answered(tenantId, booking, atInMs) };
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

  /** Earliest instant every one of a tenant's `limits` allows a request. */
  #tenantAvailableAt(tenantId: string, limits: readonly TenantLimit[]): number {
    const states = this.#tenants.get(tenantId);
    return Math.max(0, ...limits.map((limit) => availableAt(this.#schedules[limit], states?.get(limit) ?? IDLE)));
  }

  /** Books a request against a tenant's limits at the earliest instant from `nowInMs`. */
  #book(tenantId: string, limits: readonly TenantLimit[], nowInMs: number): Booking {
    const states = this.#tenant(tenantId);
    const booked = reserve(
      limits.map((limit) => ({ schedule: this.#schedules[limit], state: states.get(limit) ?? IDLE })),
      nowInMs,
    );
    // Full bucket: nothing booked at or after the start (GCRA: tat ≤ start).
    const opened = limits.filter((limit) => (states.get(limit)?.tatInMs ?? 0) <= booked.startInMs);
    limits.forEach((limit, i) => states.set(limit, booked.states[i] ?? IDLE));
    return { startInMs: booked.startInMs, opened };
  }

  /** PaceGrant.answered: moves the limits the request found full by the time it took. */
  #answered(tenantId: string, booking: Booking, atInMs: number): void {
    const states = this.#tenants.get(tenantId); // gone once the scan ended
    const latency = atInMs - booking.startInMs;
    if (!states || latency <= 0) return;
    for (const limit of booking.opened) {
      const state = states.get(limit);
      if (state) states.set(limit, { tatInMs: state.tatInMs + latency });
    }
  }

  #appSlot(waiter: Omit<Waiter, "resolve">): Promise<Booking> {
    return new Promise<Booking>((resolve) => {
      const queued = { ...waiter, resolve };
      // Critical waiters go before every normal one, in arrival order among themselves.
      const at = queued.critical ? this.#waiters.findIndex((w) => !w.critical) : -1;
      if (at === -1) this.#waiters.push(queued);
      else this.#waiters.splice(at, 0, queued);
      this.#release();
    });
  }

  /**
   * While the app-wide budget has a slot, hands it to the first waiter whose tenant is ready,
   * booking both now; then sleeps until the next slot or the next tenant is ready.
   */
  #release(): void {
    const schedule = this.#schedules.reportsPerApp;
    for (;;) {
      if (this.#waiters.length === 0) return;
      const now = Date.now();
      const appAt = availableAt(schedule, this.#app);
      const ready = appAt <= now ? this.#waiters.findIndex((w) => this.#tenantAvailableAt(w.tenantId, w.limits) <= now) : -1;
      if (ready === -1) {
        const wakeAt = appAt > now ? appAt : Math.min(...this.#waiters.map((w) => this.#tenantAvailableAt(w.tenantId, w.limits)));
        this.#wakeAt(wakeAt - now);
        return;
      }
      const [waiter] = this.#waiters.splice(ready, 1);
      if (!waiter) return;
      const booking = this.#book(waiter.tenantId, waiter.limits, now);
      this.#app = take(schedule, this.#app, now);
      waiter.resolve(booking);
    }
  }

  /** (Re)arms the one release timer: waiters that arrived since may be ready sooner. */
  #wakeAt(inMs: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#release();
      },
      Math.min(MAX_TIMER_DELAY_IN_MS, Math.max(1, Math.ceil(inMs))),
    );
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
