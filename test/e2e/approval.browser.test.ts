/**
 * End to end in a real browser (Debian's Chromium through playwright-core): the local host that
 * `npm run dev` runs (function table routes + dev pages), a sweep of the Contoso demo tenant that
 * sends its approval digest into the simulator, then a person's path: inbox → email → Approve link
 * → confirmation page → Approve → account blocked in the simulator and an audit row written; the
 * Reject path; the same link again; two tabs racing; an expired link.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { FUNCTIONS } from "../../functions/registry.js";
import { parseSigningKeys } from "../../shared/config/signing-keys.js";
import { ApprovalTokenSigner } from "../../shared/approvals/tokens.js";
import { functionApp, type App } from "../../shared/app/wiring.js";
import { DEMO_TENANTS_DIR, devApprovalSettings } from "../../dev/embedded.js";
import { createDevPages } from "../../dev/local-host/dev-pages.js";
import { startLocalHttpHost, type ExtraRoutes, type LocalHttpHost } from "../../dev/local-host/http-host.js";
import { registerFixtureTenants, sweepWithDigests } from "../../dev/local-host/session.js";
import { loadTenantFixture, startGraphSimulator, type GraphSimulator, type TenantFixture } from "../../dev/simulator/index.js";
import { uniquePrefix } from "../storage/store.js";
import { simulatorSettings } from "../setup/simulator-settings.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const DEMO_AS_OF = new Date("2026-11-28T02:00:00Z");
const SCREENSHOT = "test-results/confirmation-page.png";

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  // Loud on purpose: CI installs chromium (apt), so a skip there would hide a broken pipeline.
  console.warn(
    `\n${"!".repeat(78)}\n!! SKIPPING the browser end-to-end test: ${CHROMIUM} is missing.\n!! Install it (apt-get install chromium) to run test/e2e/approval.browser.test.ts.\n${"!".repeat(78)}\n`,
  );
}

describe.skipIf(!hasChromium)("approval by email, in a browser", () => {
  let sim: GraphSimulator;
  let host: LocalHttpHost;
  let browser: Browser;
  let app: App;
  let contoso: TenantFixture;
  let inboxUrl: string;
  const cspViolations: string[] = [];
  /** alert() from an unescaped `<img onerror=alert(1)>` (the hostile display name) would land here. */
  const dialogs: string[] = [];

  const userId = (upn: string): string => {
    const found = contoso.graph["v1.0/users"]?.find((u) => u.userPrincipalName === upn);
    if (!found) throw new Error(`no ${upn} in the Contoso fixture`);
    return found.id;
  };
  const accountEnabled = (upn: string): unknown =>
    (sim.tenant(contoso.tenant.id).get(`v1.0/users/${userId(upn)}`) as { accountEnabled?: unknown } | undefined)?.accountEnabled;
  const auditFor = async (upn: string) =>
    (await app.audit.listForTenant(contoso.tenant.id, { limit: 1000 })).filter((row) => row.subjectId === userId(upn));
  const patchesOf = (upn: string) =>
    sim.tenant(contoso.tenant.id).requests.filter((r) => r.method === "PATCH" && r.path === `v1.0/users/${userId(upn)}`);

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on("console", (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text()) && !page.url().includes("/dev/inbox/")) cspViolations.push(message.text());
    });
    return page;
  }

  /** Opens the Contoso digest in the inbox and follows `link` ("Approve" | "Reject") of `upn`'s request. */
  async function followEmailLink(page: Page, upn: string, link: "Approve" | "Reject"): Promise<void> {
    await page.goto(inboxUrl);
    await page.getByRole("link", { name: /approval requests for Contoso/ }).click();
    const email = page.frameLocator("iframe.mailframe");
    const request = email
      .locator("table")
      .filter({ hasText: upn })
      .filter({ has: email.getByRole("link", { name: "Approve" }) })
      .last();
    await Promise.all([page.waitForURL(/\/api\/approvals\//), request.getByRole("link", { name: link, exact: true }).click()]);
  }

  beforeAll(async () => {
    contoso = await loadTenantFixture(`${DEMO_TENANTS_DIR}/contoso-messy.json`);
    sim = await startGraphSimulator({ fixtures: [contoso], throttling: { enabled: false } });
    // The dev pages need the settings, which need the host's URL: bound once both exist.
    const devPages: { serve?: ExtraRoutes } = {};
    host = await startLocalHttpHost({
      functions: FUNCTIONS,
      port: 0,
      extraRoutes: (request) => devPages.serve?.(request) ?? Promise.resolve(undefined),
    });
    Object.assign(process.env, {
      ...simulatorSettings(sim, { tablePrefix: uniquePrefix() }),
      ...devApprovalSettings([contoso], { publicBaseUrl: host.url }),
    });
    app = functionApp();
    devPages.serve = createDevPages({ simulator: sim, storage: () => app });
    await registerFixtureTenants(app, [contoso]);
    const session = await sweepWithDigests(app, DEMO_AS_OF);
    expect(session.digests.get(contoso.tenant.id)?.status).toBe("sent");
    inboxUrl = `${host.url}/dev/inbox`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await mkdir("test-results", { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await sim?.close();
  });

  it("approve: email link → confirmation page → Approve → account blocked, audit row written", async () => {
    const page = await newPage();
    await followEmailLink(page, "ben.walters@contoso.com", "Approve");
    expect(page.url()).toMatch(/\?decision=approve$/);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Block sign-in for Ben Walters");
    expect(await page.locator(".chosen-note").textContent()).toContain("asked to approve");
    expect(await page.getByRole("row", { name: /Days inactive/ }).textContent()).toContain("87");
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(accountEnabled("ben.walters@contoso.com")).toBe(true); // opening the link changed nothing

    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Approve: block sign-in" }).click(),
    ]);
    expect(response.status()).toBe(200);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Sign-in blocked for Ben Walters");

    expect(accountEnabled("ben.walters@contoso.com")).toBe(false);
    const audit = await auditFor("ben.walters@contoso.com");
    expect(audit).toEqual([
      expect.objectContaining({
        action: "block-account",
        outcome: "done",
        channel: "approval",
        requestedBy: "approval link sent to it-security@contoso.com",
      }),
    ]);

    // The dev tenant page shows the simulator's state and the audit row.
    await page.goto(`${host.url}/dev/tenants/${contoso.tenant.id}`);
    const row = page.locator("table").first().getByRole("row").filter({ hasText: "ben.walters@contoso.com" });
    expect(await row.textContent()).toContain("sign-in blocked");
    expect(await page.locator("table").last().textContent()).toContain(audit[0]?.auditId ?? "?");
  });

  it("reject: the Reject link preselects Reject; confirming changes nothing", async () => {
    const page = await newPage();
    await followEmailLink(page, "joni.sherman@contoso.com", "Reject");
    expect(await page.getByRole("button", { name: "Reject" }).getAttribute("class")).toContain("chosen");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Reject" }).click(),
    ]);
    expect(response.status()).toBe(200);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Rejected");
    expect(accountEnabled("joni.sherman@contoso.com")).toBe(true);
    expect(await auditFor("joni.sherman@contoso.com")).toEqual([]);
    expect(patchesOf("joni.sherman@contoso.com")).toEqual([]);
  });

  it("the same link again shows the recorded outcome and acts no more", async () => {
    const page = await newPage(); // another approver: a fresh browser context
    await followEmailLink(page, "ben.walters@contoso.com", "Approve");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Sign-in blocked for Ben Walters");
    expect(await page.locator("form").count()).toBe(0);
    expect(await page.getByRole("status").textContent()).toContain("already decided");
    expect(await auditFor("ben.walters@contoso.com")).toHaveLength(1);
    expect(patchesOf("ben.walters@contoso.com")).toHaveLength(1);
  });

  it("two tabs confirming the same link: one action, the second tab sees the recorded outcome (409)", async () => {
    const first = await newPage();
    await followEmailLink(first, "lynne.robbins@contoso.com", "Approve");
    const second = await first.context().newPage();
    await second.goto(first.url());
    const [one] = await Promise.all([
      first.waitForResponse((r) => r.request().method() === "POST"),
      first.getByRole("button", { name: "Approve: block sign-in" }).click(),
    ]);
    const [two] = await Promise.all([
      second.waitForResponse((r) => r.request().method() === "POST"),
      second.getByRole("button", { name: "Approve: block sign-in" }).click(),
    ]);
    expect([one.status(), two.status()]).toEqual([200, 409]);
    expect(await second.getByRole("heading", { level: 1 }).textContent()).toBe("Sign-in blocked for Lynne Robbins");
    expect(await second.getByRole("status").textContent()).toContain("already decided");
    expect(await auditFor("lynne.robbins@contoso.com")).toHaveLength(1);
    expect(patchesOf("lynne.robbins@contoso.com")).toHaveLength(1);
  });

  it("an expired link gets a clear page with 410 and does nothing", async () => {
    const approvals = await app.approvals.listForTenant(contoso.tenant.id);
    const pending = approvals.find((a) => a.state === "pending" && a.action === "block-account");
    if (!pending) throw new Error("no pending block-account request left");
    const keys = parseSigningKeys(process.env.APPROVAL_SIGNING_KEYS ?? "");
    const expired = await new ApprovalTokenSigner(keys).sign(
      {
        tenantId: pending.tenantId,
        approvalId: pending.approvalId,
        action: pending.action,
        subjectId: pending.subjectId,
        expiresAt: new Date(Date.now() - 60_000),
      },
      new Date(Date.now() - 3_600_000),
    );
    const page = await newPage();
    const response = await page.goto(`${host.url}/api/approvals/${expired}?decision=approve`);
    expect(response?.status()).toBe(410);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("This link has expired");
    expect(await page.locator("form").count()).toBe(0);
    expect((await app.approvals.get(pending.tenantId, pending.approvalId))?.state).toBe("pending");
  });

  it("shows the hostile display name as text: no script ran, no CSP violation on the app's pages", async () => {
    const page = await newPage();
    await followEmailLink(page, "bobby.tables@contoso.com", "Approve");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
      `Block sign-in for <img src=x onerror=alert(1)> "Bobby" & Tables`,
    );
    expect(await page.locator("main img").count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
