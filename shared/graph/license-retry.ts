/**
 * Graph sometimes answers a licensed tenant's signInActivity listing or authentication-methods
 * report with the 403 a Free tenant gets ("9 out of 10 times": microsoftgraph/microsoft-graph-docs
 * issue 14118; microsoft-graph-docs-contrib issues 3759, 3808). One such answer must not pass for
 * "no Entra ID P1", which would drop sign-in data for the whole run: ask again a few times, backing
 * off, before believing it. Only this 403 qualifies; any other refusal is final at once. The
 * decision is pure (like retry-strategy.ts); the loop beside it takes sleep and randomness as options.
 */
import { isGraphError, NON_PREMIUM_TENANT } from "./errors.js";
import type { RetryDecision } from "./retry-strategy.js";

export interface LicenseRetryOptions {
  /** Retries after the first refusal; a tenant that is refused every time has no licence. */
  readonly maxRetries?: number;
  /** First wait; doubles per retry. */
  readonly baseDelayInMs?: number;
  /** Multiplies every wait: GRAPH_TIME_SCALE, as for retry-strategy.ts's own backoff. */
  readonly backoffScale?: number;
}

export const DEFAULT_LICENSE_RETRY_OPTIONS: Required<LicenseRetryOptions> = {
  maxRetries: 3,
  baseDelayInMs: 1_000,
  backoffScale: 1,
};

export interface LicenseRetryInput {
  /** 0 for the decision after the first refusal. */
  readonly attempt: number;
  readonly status: number;
  /** Graph's error code, if the answer had one. */
  readonly code: string | null;
  /** 0..1, injected so the decision stays pure. */
  readonly jitter: number;
}

export function decideLicenseRetry(input: LicenseRetryInput, options: LicenseRetryOptions = {}): RetryDecision {
  const o = { ...DEFAULT_LICENSE_RETRY_OPTIONS, ...options };
  if (input.status !== 403 || input.code !== NON_PREMIUM_TENANT || input.attempt >= o.maxRetries) return { retry: false };
  return { retry: true, delayInMs: o.baseDelayInMs * 2 ** input.attempt * (1 + input.jitter / 2) * o.backoffScale };
}

export interface RetryLicenseRefusalsOptions extends LicenseRetryOptions {
  /** Injected in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `read`, again after each licence 403 the decision lets through; the last error propagates. */
export async function retryLicenseRefusals<T>(read: () => Promise<T>, options: RetryLicenseRefusalsOptions = {}): Promise<T> {
  const { sleep = defaultSleep, random = Math.random } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      const refusal = isGraphError(error) ? { status: error.statusCode, code: error.code } : { status: 0, code: null };
      const decision = decideLicenseRetry({ attempt, ...refusal, jitter: random() }, options);
      if (!decision.retry) throw error;
      await sleep(decision.delayInMs);
    }
  }
}
