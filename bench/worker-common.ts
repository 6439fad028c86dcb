/** What both scanning children share: their input, tenant registration, and peak RSS. */
import pLimit from "p-limit";
import type { TenantConfig } from "../shared/model/tenant.js";
import { onboardedReport } from "../dev/sweep/onboarded.js";
import type { App } from "../shared/app/wiring.js";

export interface WorkerInput {
  readonly tenants: readonly { readonly tenantId: string; readonly displayName: string; readonly config: TenantConfig }[];
  readonly asOf: string;
  /** Queue names get this prefix (one Azurite, several runs). */
  readonly queuePrefix: string;
  /** Users per tenant as a previous night recorded them (scan-worker: fan-out order). */
  readonly history?: Readonly<Record<string, number>>;
  /** host.json extensions.queues, polling scaled to the simulation (scan-worker). */
  readonly host: {
    readonly batchSize: number;
    readonly newBatchThreshold: number;
    readonly maxDequeueCount: number;
    readonly maxPollingIntervalInMs: number;
    readonly retryVisibilityInSeconds: number;
  };
}

/** The benchmark sends the input over IPC (a fleet's tenant list is too long for argv). */
export function receiveInput(): Promise<WorkerInput> {
  return new Promise((resolve) => {
    process.once("message", (message: { type: string; input: WorkerInput }) => resolve(message.input));
  });
}

/**
 * Registers the tenants as onboarded (a stored ready check): the benchmark measures the nightly
 * sweep, not the one-off onboarding check a tenant's first sweep would otherwise run.
 */
export async function seedTenants(app: Pick<App, "tenants">, tenants: WorkerInput["tenants"], appId: string): Promise<void> {
  const limit = pLimit(16);
  const seed = async (t: WorkerInput["tenants"][number]) => {
    await app.tenants.upsert({ tenantId: t.tenantId, displayName: t.displayName, enabled: true, config: t.config });
    await app.tenants.setReadiness(t.tenantId, onboardedReport(t.tenantId, appId));
  };
  await Promise.all(tenants.map((t) => limit(() => seed(t))));
}

/** The process's peak resident set: the kernel's high-water mark, cross-checked by sampling. */
export class RssPeak {
  #peak = process.memoryUsage().rss;
  readonly #timer = setInterval(() => (this.#peak = Math.max(this.#peak, process.memoryUsage().rss)), 100);

  stop(): number {
    clearInterval(this.#timer);
    return Math.max(this.#peak, process.resourceUsage().maxRSS * 1024);
  }
}

export function cpuSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
}

/** Sends over IPC and waits until the message has left (the process exits right after). */
export function sendAndFlush(message: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error("not started with an IPC channel"));
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}
