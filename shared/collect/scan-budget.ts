/**
 * When one invocation of a tenant scan stops collecting and hands over to a follow-up message:
 * well before the host's function timeout, so there is time left to checkpoint (and, in the
 * invocation that finishes, to evaluate and persist).
 */
export interface ScanBudget {
  /** Asked before each page; `pages` counts the pages this invocation has read. */
  exhausted(progress: { readonly pages: number }): boolean;
}

/** Stops after `seconds` of wall time since `startedAtInMs`. */
export function timeBudget(seconds: number, startedAtInMs: number = Date.now()): ScanBudget {
  if (!(seconds > 0)) throw new RangeError(`A scan time budget must be above 0 seconds, got ${seconds}`);
  return { exhausted: () => Date.now() - startedAtInMs >= seconds * 1000 };
}

/** Stops after `pages` pages (tests and benchmarks interrupt scans at a chosen point). */
export function pageBudget(pages: number): ScanBudget {
  if (!Number.isInteger(pages) || pages < 1) throw new RangeError(`A page budget must be a positive integer, got ${pages}`);
  return { exhausted: (progress) => progress.pages >= pages };
}
