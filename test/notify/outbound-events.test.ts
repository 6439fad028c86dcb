/**
 * Outbound events end to end: sweeps of the demo tenants through the real queue functions, Azurite
 * and the Graph simulator, delivered to a signing-checking HTTPS receiver on loopback (allowed
 * explicitly, as only tests and dev may), a Teams-shaped Adaptive Card checked against Microsoft's
 * schema, and the email sink's messages in the sender's Sent Items.
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drainNotifications, runSweepToEnd } from "../../dev/sweep/run.js";
import { registerFixtureTenants } from "../../dev/local-host/session.js";
import { onboardedReport } from "../../dev/sweep/onboarded.js";
import { startGraphSimulator, TEST_APP_CLIENT_ID, type GraphSimulator } from "../../dev/simulator/index.js";
import { createApp, type App } from "../../shared/app/wiring.js";
import { loadSettings } from "../../shared/config/settings.js";
import type { EventMessage, SinkConfig } from "../../shared/model/events.js";
import { enqueueAll } from "../../shared/queue/queue-client.js";
import { simulatorSettings } from "../setup/simulator-settings.js";
import { uniquePrefix } from "../storage/store.js";
import { demoFixture } from "../sweep/harness.js";
import { startReceiver, type Receiver } from "./receiver.js";

const require = createRequire(import.meta.url);
const SECRET = randomBytes(32).toString("hex");
const HOSTILE = '**bold** [click](https://evil.example) <img src=x onerror=alert(1)> & "q"';
const AS_OF = new Date("2026-11-28T02:00:00Z");

const fixtures = await Promise.all([demoFixture("fabrikam-healthy"), demoFixture("contoso-messy"), demoFixture("northwind-free")]);
const contoso = fixtures[1];
// Attacker-chosen names: the tenant's (as registered) and every Contoso user's (as Graph returns them).
contoso.tenant.displayName = `Contoso ${HOSTILE}`;
for (const user of contoso.graph["v1.0/users"] ?? []) user.displayName = `${HOSTILE} ${user.displayName ?? ""}`;
const SENDER = contoso.graph["v1.0/users"]?.[1]?.userPrincipalName ?? "";

let sim: GraphSimulator;
let receiver: Receiver;
let app: App;
let firstRunId: string;
let scansEndedInMs: number;

function fleetSinks(origin: string): SinkConfig[] {
  return [
    { id: "psa", kind: "webhook", url: `${origin}/psa`, secret: SECRET },
    { id: "teams", kind: "teams", url: `${origin}/teams` },
    { id: "msp-mail", kind: "email", to: ["noc@msp.example"] },
  ];
}

async function startApp(sinks: readonly SinkConfig[]): Promise<App> {
  const prefix = uniquePrefix();
  const settings = loadSettings({
    ...simulatorSettings(sim, { tablePrefix: prefix }),
    APPROVAL_SIGNING_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    PUBLIC_BASE_URL: "https://patrol.example",
    MAIL_SENDER: SENDER,
    MAIL_TENANT_ID: contoso.tenant.id,
    NOTIFY_SINKS: JSON.stringify(sinks),
  });
  const created = createApp(settings, {
    queuePrefix: `${prefix}-`,
    outbound: { allowLoopback: true, timeoutInMs: 1_000 },
    deliveryRetry: { baseDelayInMs: 500, maxDelayInMs: 3_000, maxAttempts: 3 },
  });
  await registerFixtureTenants(created, fixtures);
  for (const f of fixtures) await created.tenants.setReadiness(f.tenant.id, onboardedReport(f.tenant.id, TEST_APP_CLIENT_ID));
  return created;
}

/** A sweep, and when its last tenant's run ended (before any delivery: drainRun delivers after). */
async function sweep(target: App, startedAt = new Date()): Promise<{ runId: string; scansInMs: number }> {
  const t0 = performance.now();
  let ended = 0;
  const runId = await runSweepToEnd(
    target,
    { asOf: AS_OF, startedAt, trigger: "manual" },
    { onTenantEnded: (_run, n, total) => void (n === total && (ended = performance.now() - t0)) },
  );
  return { runId, scansInMs: ended };
}

const messagesAt = (path: string, runId?: string) =>
  receiver.received.filter((r) => r.path === path && (runId === undefined || bodyOf(r.body, path).run.id === runId));

/** A webhook's body (the Teams sink's is a card: read it with JSON.parse). */
function bodyOf(body: string, _path: string): EventMessage {
  return JSON.parse(body) as EventMessage;
}

beforeAll(async () => {
  sim = await startGraphSimulator({ fixtures, throttling: { enabled: false } });
  receiver = await startReceiver(SECRET);
  app = await startApp(fleetSinks(receiver.origin));
  const first = await sweep(app, AS_OF);
  firstRunId = first.runId;
  scansEndedInMs = first.scansInMs;
}, 180_000);
afterAll(async () => {
  await receiver.close();
  await sim.close();
});

describe("one sweep of the demo tenants", () => {
  it("sends exactly one signed webhook message per tenant with events, and logs the others as skipped", async () => {
    const psa = messagesAt("/psa");
    expect(psa.every((r) => r.signatureValid)).toBe(true);
    const perTenant = new Map<string, number>();
    for (const r of psa) perTenant.set(bodyOf(r.body, "/psa").tenant.id, (perTenant.get(bodyOf(r.body, "/psa").tenant.id) ?? 0) + 1);
    for (const f of fixtures) {
      const deliveries = await app.deliveries.listForRun(f.tenant.id, firstRunId);
      const psaRow = deliveries.find((d) => d.sinkId === "psa");
      expect(psaRow?.status, f.tenant.displayName).toMatch(/^(delivered|skipped)$/);
      expect(perTenant.get(f.tenant.id) ?? 0).toBe(psaRow?.status === "delivered" ? 1 : 0);
      expect(deliveries.map((d) => d.sinkId).sort()).toEqual(["msp-mail", "psa", "teams"]);
    }
    expect(perTenant.get(contoso.tenant.id)).toBe(1);
    const message = bodyOf(psa.find((r) => bodyOf(r.body, "/psa").tenant.id === contoso.tenant.id)?.body ?? "{}", "/psa");
    expect(message.events.length).toBeGreaterThan(0);
    expect(new Set(message.events.map((e) => e.externalId)).size).toBe(message.events.length);
    expect(psa[0]?.headers["x-tenantpatrol-delivery"]).toMatch(/^tpd-[0-9a-f]{32}$/);
  });

  it("posts one Teams message per tenant with events, an Adaptive Card that validates against the 1.5 schema", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addMetaSchema(require("ajv/dist/refs/json-schema-draft-06.json") as object);
    addFormats.default(ajv);
    // Draft-06 names the schema with `id`, which Ajv 8 reads only as `$id`.
    const { id, ...schema } = require("../fixtures/adaptive-card/adaptive-card-1.5.0.json") as { id: string };
    const validate = ajv.compile({ $id: id, ...schema });
    const teams = messagesAt("/teams");
    expect(teams.length).toBe(messagesAt("/psa").length);
    for (const r of teams) {
      const payload = JSON.parse(r.body) as { type: string; attachments: { contentType: string; content: unknown }[] };
      expect(payload.type).toBe("message");
      expect(payload.attachments).toHaveLength(1);
      expect(payload.attachments[0]?.contentType).toBe("application/vnd.microsoft.card.adaptive");
      expect(validate(payload.attachments[0]?.content), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it("keeps hostile display names as data in every sink", () => {
    const contosoCard = messagesAt("/teams").find((r) => r.body.includes(contoso.tenant.id) || r.body.includes("Contoso"));
    const card = JSON.stringify((JSON.parse(contosoCard?.body ?? "{}") as { attachments: { content: unknown }[] }).attachments[0]?.content);
    // Outside text only ever in a TextRun (no markdown); never in a TextBlock or a fact.
    const blocks = [...card.matchAll(/"type":"TextBlock","text":"([^"]*)"/g)].map((m) => m[1]);
    expect(blocks.some((text) => text?.includes("bold"))).toBe(false);
    expect(card).toContain('"type":"TextRun","text":"Contoso **bold**');
    const webhook = messagesAt("/psa")
      .map((r) => bodyOf(r.body, "/psa"))
      .find((m) => m.tenant.id === contoso.tenant.id);
    expect(webhook?.tenant.displayName).toBe(`Contoso ${HOSTILE}`);
    const mails = sim.tenant(contoso.tenant.id).sentMail(SENDER) as unknown as { subject: string; body: { content: string } }[];
    const eventsMail = mails.find((m) => m.subject.includes("Contoso") && m.body.content.includes("delivery tpd-"));
    expect(eventsMail?.body.content).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(eventsMail?.body.content).not.toContain("<img src=x");
  });

  it("emails the MSP once per tenant with events", async () => {
    for (const f of fixtures) {
      const row = (await app.deliveries.listForRun(f.tenant.id, firstRunId)).find((d) => d.sinkId === "msp-mail");
      expect(row?.status).toMatch(/^(delivered|skipped)$/);
      expect(row?.attempts).toBe(1);
    }
    const mails = sim.tenant(contoso.tenant.id).sentMail(SENDER) as unknown as { subject: string; body: { content: string } }[];
    expect(mails.filter((m) => m.body.content.includes("delivery tpd-"))).toHaveLength(messagesAt("/psa").length);
  });

  it("sends nothing for unchanged findings on a second identical sweep", async () => {
    const { runId } = await sweep(app);
    const findingEvents = messagesAt("/psa", runId).flatMap((r) =>
      bodyOf(r.body, "/psa").events.filter((e) => e.kind.startsWith("finding-")),
    );
    expect(findingEvents).toEqual([]);
  }, 120_000);
});

describe("delivery through the queue", () => {
  /** Adds a tenant sink on Contoso and plays its first run's notify-events message again. */
  async function deliverAgain(sink: SinkConfig): Promise<void> {
    const record = await app.tenants.get(contoso.tenant.id);
    if (!record) throw new Error("contoso not registered");
    await app.tenants.upsert({ ...record, config: { ...record.config, notify: { sinks: [sink] } } });
    await enqueueAll(app.notifyEventsQueue, [{ runId: firstRunId, tenantId: contoso.tenant.id }]);
    await drainNotifications(app);
  }
  const row = async (sinkId: string) => (await app.deliveries.listForRun(contoso.tenant.id, firstRunId)).find((d) => d.sinkId === sinkId);

  it("retries a 500 and delivers once per externalId", async () => {
    receiver.script("/flaky", (n) => ({ status: n === 0 ? 500 : 200 }));
    await deliverAgain({ id: "flaky", kind: "webhook", url: `${receiver.origin}/flaky`, secret: SECRET });
    const got = messagesAt("/flaky");
    expect(got).toHaveLength(2);
    expect(got.every((r) => r.signatureValid)).toBe(true);
    const [first, second] = got.map((r) => bodyOf(r.body, "/flaky"));
    expect(second?.deliveryId).toBe(first?.deliveryId);
    // The receiver processes each externalId once: the retry adds nothing new.
    const processed = new Set(got.flatMap((r) => bodyOf(r.body, "/flaky").events.map((e) => e.externalId)));
    expect(processed.size).toBe(first?.events.length);
    expect(await row("flaky")).toMatchObject({ status: "delivered", attempts: 2, statusCode: 200 });
    // Played again: the delivered row is final, nothing is sent.
    await enqueueAll(app.notifyEventsQueue, [{ runId: firstRunId, tenantId: contoso.tenant.id }]);
    await drainNotifications(app);
    expect(messagesAt("/flaky")).toHaveLength(2);
  }, 60_000);

  it("waits as long as a 429's Retry-After says", async () => {
    receiver.script("/throttled", (n) => (n === 0 ? { status: 429, headers: { "retry-after": "2" } } : { status: 202 }));
    await deliverAgain({ id: "throttled", kind: "webhook", url: `${receiver.origin}/throttled`, secret: SECRET });
    const [first, second] = messagesAt("/throttled");
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_900);
    expect(await row("throttled")).toMatchObject({ status: "delivered", attempts: 2, statusCode: 202 });
  }, 60_000);

  it("gives a receiver that never answers up after the last attempt: dead row, poison queue", async () => {
    receiver.script("/dead", () => "hang");
    await deliverAgain({ id: "dead", kind: "webhook", url: `${receiver.origin}/dead`, secret: SECRET });
    expect(messagesAt("/dead")).toHaveLength(3);
    expect(await row("dead")).toMatchObject({ status: "dead", attempts: 3, statusCode: null });
    expect((await row("dead"))?.lastError).toMatch(/gave up after 3 attempts/);
    const poisoned = await app.notifyDeliveryPoisonQueue.peekMessages({ numberOfMessages: 32 });
    expect(
      poisoned.peekedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, "base64").toString()) as { sinkId: string }),
    ).toEqual(expect.arrayContaining([expect.objectContaining({ sinkId: "dead" })]));
  }, 60_000);

  it("does not follow a redirect: the delivery fails at once", async () => {
    receiver.script("/moved", () => ({ status: 302, headers: { location: `${receiver.origin}/elsewhere` } }));
    await deliverAgain({ id: "moved", kind: "webhook", url: `${receiver.origin}/moved`, secret: SECRET });
    expect(messagesAt("/moved")).toHaveLength(1);
    expect(messagesAt("/elsewhere")).toHaveLength(0);
    expect(await row("moved")).toMatchObject({ status: "dead", attempts: 1, statusCode: 302 });
  }, 60_000);

  it("refuses a private address without connecting", async () => {
    await deliverAgain({ id: "inside", kind: "webhook", url: "https://10.0.0.7/hook", secret: SECRET });
    const inside = await row("inside");
    expect(inside).toMatchObject({ status: "dead", attempts: 1, statusCode: null });
    expect(inside?.lastError).toMatch(/10\.0\.0\.7, a private address: not connected to/);
  }, 60_000);
});

describe("delivery is off the scan's path", () => {
  it("a receiver that never answers leaves the sweep's scans as fast as no receiver at all", async () => {
    receiver.script("/silent", () => "hang");
    const silent = await startApp([{ id: "silent", kind: "webhook", url: `${receiver.origin}/silent`, secret: SECRET }]);
    const none = await startApp([]);
    const withSilent = await sweep(silent);
    const withNone = await sweep(none);
    console.log(
      `scans of the demo sweep: ${Math.round(withSilent.scansInMs)} ms with a receiver that never answers, ${Math.round(withNone.scansInMs)} ms with no sink (first sweep: ${Math.round(scansEndedInMs)} ms)`,
    );
    // Every run ended before the first delivery attempt was claimed.
    for (const f of fixtures) {
      const run = await silent.runs.getTenantRun(withSilent.runId, f.tenant.id);
      for (const d of await silent.deliveries.listForRun(f.tenant.id, withSilent.runId))
        expect(run?.finishedAt?.getTime()).toBeLessThanOrEqual(d.claimedAt.getTime());
    }
    expect(withSilent.scansInMs).toBeLessThan(withNone.scansInMs + 2_000);
  }, 180_000);
});
