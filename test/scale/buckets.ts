/**
 * Whether Graph would accept requests at these instants: a token bucket of `requests` tokens,
 * full at first, refilled at `requests` per window (how the simulator models every limit).
 */
export function conforms(starts: readonly number[], limit: { readonly requests: number; readonly windowInMs: number }): boolean {
  const sorted = [...starts].sort((x, y) => x - y);
  let tokens = limit.requests;
  let at = sorted[0] ?? 0;
  for (const t of sorted) {
    tokens = Math.min(limit.requests, tokens + ((t - at) * limit.requests) / limit.windowInMs);
    at = t;
    if (tokens < 1 - 1e-9) return false;
    tokens -= 1;
  }
  return true;
}
