/**
 * When to retry a Graph response, as a pure decision (Azure SDK habit: the strategy apart from
 * the loop, so it is unit-testable). Graph says how long to wait in Retry-After on most 429s and
 * on 503/504; Conditional Access sends 429 without it, so we back off exponentially there.
 */

export interface RetryOptions {
  /** Retries after the first attempt. */
  readonly maxRetries?: number;
  /** First backoff when Graph gives no Retry-After; doubles per attempt. */
  readonly baseDelayInMs?: number;
  /** Upper bound for any single wait, Retry-After included. */
  readonly maxDelayInMs?: number;
  /**
   * Multiplies every wait. 1 in production; the simulator's time scale in tests and benchmarks
   * (its Retry-After values are already scaled, so this applies to our own backoff only).
   */
  readonly backoffScale?: number;
}

export const DEFAULT_RETRY_OPTIONS: Required<RetryOptions> = {
  maxRetries: 6,
  baseDelayInMs: 2_000,
  maxDelayInMs: 120_000,
  backoffScale: 1,
};

export interface RetryInput {
  /** 0 for the first retry decision. */
  readonly attempt: number;
  /** The response's status, or NO_RESPONSE. */
  readonly status: number;
  readonly method: string;
  /** Raw Retry-After header: seconds (maybe fractional) or an HTTP date. */
  readonly retryAfter: string | null;
  readonly nowInMs: number;
  /** 0..1, injected so the decision stays pure. */
  readonly jitter: number;
}

export type RetryDecision = { readonly retry: false } | { readonly retry: true; readonly delayInMs: number };

const NO_RETRY: RetryDecision = { retry: false };

/** Status of a request that got no response because its connection broke (isBrokenConnection). */
export const NO_RESPONSE = 0;

/** 429 means the request was not processed, so any method may be retried; 503/504 and no response only reads. */
function isRetriable(status: number, method: string): boolean {
  if (status === 429) return true;
  if (status === 503 || status === 504 || status === NO_RESPONSE) return method === "GET" || method === "HEAD";
  return false;
}

export function parseRetryAfterInMs(value: string | null, nowInMs: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowInMs);
}

export function decideRetry(input: RetryInput, options: RetryOptions = {}): RetryDecision {
  const o = { ...DEFAULT_RETRY_OPTIONS, ...options };
  if (input.attempt >= o.maxRetries || !isRetriable(input.status, input.method)) return NO_RETRY;
  const told = parseRetryAfterInMs(input.retryAfter, input.nowInMs);
  const backoff = o.baseDelayInMs * 2 ** input.attempt * (1 + input.jitter / 2) * o.backoffScale;
  const delayInMs = Math.min(told ?? backoff, o.maxDelayInMs);
  return { retry: true, delayInMs };
}

/**
 * Connection errors that mean the request got no response because its connection broke: a
 * kept-alive socket the server had just closed (EPIPE when writing to it, ECONNRESET, undici's
 * "other side closed"). It happens now and then against any server under load; a read may
 * simply be sent again.
 */
const BROKEN_CONNECTION_CODES = new Set(["EPIPE", "ECONNRESET", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);

/** How deep to follow `cause`: fetch wraps the socket's error in a TypeError "fetch failed". */
const MAX_CAUSE_DEPTH = 4;

export function isBrokenConnection(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && BROKEN_CONNECTION_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
