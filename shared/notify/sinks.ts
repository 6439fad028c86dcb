import type { SinkConfig } from "../model/events.js";
import type { TenantRecord } from "../model/tenant.js";

/**
 * The sinks of one tenant: the fleet's (NOTIFY_SINKS) and the tenant's own added to them; a
 * tenant sink with a fleet sink's id replaces it for this tenant (to narrow a filter or point
 * elsewhere). A fleet sink's `tenants` filter is applied when its message is built.
 */
export function sinksForTenant(fleet: readonly SinkConfig[], tenant: Pick<TenantRecord, "config">): SinkConfig[] {
  const own = tenant.config.notify?.sinks ?? [];
  const replaced = new Set(own.map((sink) => sink.id));
  return [...fleet.filter((sink) => !replaced.has(sink.id)), ...own];
}
