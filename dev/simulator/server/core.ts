/** Everything one running simulator holds; the pipeline, batch and token endpoint read it. */
import type { TokenAuthority } from "../auth/access-tokens.js";
import type { AppRegistry } from "../auth/apps.js";
import type { Clock } from "../clock.js";
import type { FaultInjector } from "../faults.js";
import { RequestLog } from "../request-log.js";
import type { TenantState } from "../state/tenant-state.js";
import type { ThrottleModel } from "../throttling/throttle-model.js";

export interface SimulatorCore {
  /** "https://localhost:PORT/" once listening. */
  baseUrl: string;
  readonly clock: Clock;
  readonly tenants: TenantDirectory;
  readonly apps: AppRegistry;
  readonly tokens: TokenAuthority;
  readonly throttle: ThrottleModel;
  readonly faults: FaultInjector;
  readonly logs: LogBook;
}

/** Hosted tenants by id (case-insensitive), also reachable by a domain name for the token endpoint. */
export class TenantDirectory {
  private readonly byId = new Map<string, TenantState>();

  add(tenant: TenantState): void {
    const key = tenant.id.toLowerCase();
    if (this.byId.has(key)) throw new Error(`tenant ${tenant.id} is already hosted`);
    this.byId.set(key, tenant);
  }

  get(id: string): TenantState | undefined {
    return this.byId.get(id.toLowerCase());
  }

  /** The token endpoint accepts a tenant id or one of its domain names, as Entra does. */
  byIdOrDomain(segment: string): TenantState | undefined {
    const lower = segment.toLowerCase();
    return this.get(lower) ?? [...this.byId.values()].find((t) => t.find("v1.0/domains", lower) !== undefined);
  }

  all(): readonly TenantState[] {
    return [...this.byId.values()];
  }
}

/** One request log per tenant plus one for everything (requests no tenant could be tied to). */
export class LogBook {
  readonly all = new RequestLog();
  private readonly perTenant = new Map<string, RequestLog>();

  forTenant(tenantId: string): RequestLog {
    const key = tenantId.toLowerCase();
    let log = this.perTenant.get(key);
    if (!log) {
      log = new RequestLog();
      this.perTenant.set(key, log);
    }
    return log;
  }
}
