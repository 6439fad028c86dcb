/**
 * Benchmark child: the Graph simulator serving generated tenants, with throttling on at the
 * scenario's time scale. Talks to the benchmark over IPC (protocol.ts): it announces the tenants
 * and their minimum needs, answers stats, resets between runs and injects faults.
 *
 *   argv: <spec JSON> <time scale> [unthrottled]
 */
import { generateTenantFixture, generateTenantFleet, planTenantFleet } from "../dev/fixtures/generate.js";
import { startGraphSimulator, type RequestLogEntry, type TenantFixture } from "../dev/simulator/index.js";
import { GUID_PATTERN } from "../shared/model/ids.js";
import { tenantNeeds } from "./minimum.js";
import type { ServedTenant, SimulatorCommand, SimulatorSpec, SimulatorStats } from "./protocol.js";

const AS_OF = new Date("2026-11-28T02:00:00Z");

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "null") as SimulatorSpec;
  const timeScale = Number(process.argv[3]);
  const throttled = process.argv[4] !== "unthrottled";
  const started = performance.now();
  const sim = await startGraphSimulator({ fixtures: [], throttling: { enabled: throttled, timeScale }, trustFixtures: true });
  const served: ServedTenant[] = [];
  const add = async (fixture: TenantFixture, sizeClass: string) => {
    served.push({ needs: tenantNeeds(fixture), config: fixture.config, sizeClass });
    // Generated fixtures are Graph-shaped by construction: served without the schema check.
    await sim.addTenant(fixture, { trusted: true });
  };
  if (spec.kind === "fleet" && spec.only) {
    const only = new Set(spec.only);
    for (const plan of planTenantFleet({ tenants: spec.tenants, seed: spec.seed, asOf: AS_OF })) {
      if (!only.has(plan.index)) continue;
      const { tenantId, displayName, domain, users, license, seed } = plan;
      await add(generateTenantFixture({ tenantId, displayName, domain, users, license, seed, asOf: AS_OF }), plan.sizeClass);
    }
  } else if (spec.kind === "fleet") {
    const classes = [...planTenantFleet({ tenants: spec.tenants, seed: spec.seed, asOf: AS_OF })].map((p) => p.sizeClass);
    let i = 0;
    for (const fixture of generateTenantFleet({ tenants: spec.tenants, seed: spec.seed, asOf: AS_OF }))
      await add(fixture, classes[i++] ?? "");
  } else {
    for (const t of spec.tenants)
      await add(generateTenantFixture({ users: t.users, license: t.license, seed: t.seed, asOf: AS_OF }), "single");
  }
  send({
    type: "ready",
    baseUrl: sim.baseUrl,
    authorityHost: sim.authorityHost,
    tenants: served,
    loadSeconds: (performance.now() - started) / 1000,
  });

  process.on("message", (command: SimulatorCommand) => {
    switch (command.type) {
      case "stats": {
        const tenants: SimulatorStats["tenants"] = Object.fromEntries(
          served.map(({ needs }) => {
            const t = sim.tenant(needs.tenantId);
            const log = t.requests;
            return [
              needs.tenantId,
              {
                requests: log.filter((r) => !r.batchItem).length,
                tooManyRequests: t.counters.tooManyRequests,
                tooManyRequestsByPath: countByPathShape(log.filter((r) => r.status === 429)),
                minimalWaitMs: t.throttling.minimalWaitMs,
                perUserCalls: log.filter(
                  (r) =>
                    PER_USER_REPORT_DATA.test(r.path) ||
                    (/^(v1\.0|beta)\/users\/[^/]+$/.test(r.path) && /signInActivity/i.test(r.query.$select ?? "")),
                ).length,
                repeatedPages: repeatedPages(log),
              },
            ];
          }),
        );
        const app = sim.appThrottling();
        send({
          type: "stats",
          tenants,
          appMinimalWaitMs: app.minimalWaitMs,
          appThrottled: app.throttled,
          rssBytes: process.memoryUsage().rss,
          cpuSeconds: cpuSeconds(),
        } satisfies SimulatorStats);
        break;
      }
      case "reset":
        for (const { needs } of served) sim.tenant(needs.tenantId).reset();
        sim.resetAppThrottling();
        sim.faults.clear();
        send({ type: "reset" });
        break;
      case "faults":
        for (const f of command.faults) {
          sim.faults.add({
            tenantId: f.tenantId,
            path: /.*/,
            times: f.times,
            fault: {
              type: "status",
              status: f.status,
              ...(f.retryAfterSeconds !== undefined ? { retryAfterSeconds: f.retryAfterSeconds } : {}),
            },
          });
        }
        send({ type: "faults" });
        break;
      case "clear-faults":
        sim.faults.clear();
        send({ type: "clear-faults" });
        break;
      case "stop":
        void sim.close().finally(() => process.exit(0));
        break;
    }
  });
}

/** Per-user reads of data the registration report has in bulk. */
const PER_USER_REPORT_DATA =
  /^(v1\.0|beta)\/(users\/[^/]+\/authentication\/methods|reports\/authenticationMethods\/userRegistrationDetails\/[^/]+)$/;
const PAGED = /^v1\.0\/(users|reports\/authenticationMethods\/userRegistrationDetails)$/;

/** Pages (path + skiptoken) served with 200 more than once. */
function repeatedPages(log: readonly RequestLogEntry[]): number {
  const seen = new Map<string, number>();
  for (const r of log) {
    if (r.method !== "GET" || r.status !== 200 || !PAGED.test(r.path)) continue;
    const key = `${r.path} ${r.query.$select ?? ""} ${r.query.$skiptoken ?? "-"}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.values()].filter((n) => n > 1).length;
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function send(message: unknown): void {
  process.send?.(message);
}

main().catch((e: unknown) => {
  process.stderr.write(`sim-host: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

const GUID = new RegExp(GUID_PATTERN, "gi");

/**
 * Requests counted by path and, for throttled ones, the limit that refused them, ids replaced by
 * `{id}` (e.g. "v1.0/users ← Tenant/SignInActivity/{id}").
 */
function countByPathShape(entries: readonly RequestLogEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of entries) {
    const shape = (entry.throttleScope ? `${entry.path} ← ${entry.throttleScope}` : entry.path).replace(GUID, "{id}");
    counts[shape] = (counts[shape] ?? 0) + 1;
  }
  return counts;
}
