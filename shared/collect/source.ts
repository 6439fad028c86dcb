import { describeError, isAuthenticationFailure, isGraphError, unavailableReason } from "../graph/errors.js";
import type { Source } from "../model/snapshot.js";

/**
 * Runs one read and records its outcome next to the data. Authentication failures are not a
 * source's problem (nothing in the tenant can be read), so they propagate and fail the scan.
 */
export async function readSource<T>(read: () => Promise<T>): Promise<Source<T>> {
  try {
    return { ok: true, data: await read() };
  } catch (e) {
    if (isAuthenticationFailure(e)) throw e;
    const code = isGraphError(e) && e.code ? e.code : undefined;
    const failed = { ok: false as const, reason: unavailableReason(e), message: describeError(e) };
    return code ? { ...failed, code } : failed;
  }
}
