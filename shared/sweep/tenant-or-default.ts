import { unregisteredTenant, type TenantRecord } from "../model/tenant.js";
import type { TenantsRepository } from "../storage/tenants.js";

/** A tenant listed in settings (TENANT_IDS) but never registered is scanned with no exclusions and no approvers. */
export async function tenantOrDefault(tenants: Pick<TenantsRepository, "get">, tenantId: string): Promise<TenantRecord> {
  return (await tenants.get(tenantId)) ?? unregisteredTenant(tenantId);
}
