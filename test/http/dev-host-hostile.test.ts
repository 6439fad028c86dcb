/** The local dev host against hostile requests: control characters in its log, malformed paths. */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../../functions/registry.js";
import { startLocalHttpHost, type LocalHttpHost } from "../../dev/local-host/http-host.js";
import { createDevPages } from "../../dev/local-host/dev-pages.js";
import { demoFixture } from "../sweep/harness.js";
import { startApprovalHarness, type ApprovalHarness } from "./harness.js";

let h: ApprovalHarness;
let host: LocalHttpHost;
const hostLog: string[] = [];
beforeAll(async () => {
  h = await startApprovalHarness([await demoFixture("fabrikam-healthy")]);
  const pages = createDevPages({ simulator: h.sim, storage: () => ({ approvals: h.approvals, audit: h.audit, tenants: h.app.tenants }) });
  host = await startLocalHttpHost({ functions: FUNCTIONS, port: 0, functionKey: "k", extraRoutes: pages, log: (l) => hostLog.push(l) });
});
afterAll(async () => {
  await host.close();
  await h.close();
});

function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(host.port, "127.0.0.1", () => socket.write(Buffer.from(request, "latin1")));
    let out = "";
    socket.on("data", (d) => (out += d.toString("latin1")));
    socket.on("end", () => resolve(out));
    socket.on("error", reject);
  });
}

describe("the dev host", () => {
  it("a Host header with NEL (U+0085) and CSI (U+009B) is refused and logged with them escaped", async () => {
    hostLog.length = 0;
    const answer = await raw(
      `GET /dev/inbox HTTP/1.1\r\nHost: evil\x85GET /api/approvals/x \u2192 200 (approval-decision)\x9b2K\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.startsWith("HTTP/1.1 421")).toBe(true);
    const line = hostLog.find((l) => l.includes("refused (421)"));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/[\u0085\u009b]/);
    expect(line).toContain("\\u0085");
  });

  it("malformed percent-encoding on a dev page path is a 404, not a 500", async () => {
    expect((await fetch(`${host.url}/dev/tenants/%E0%A4%A`)).status).toBe(404);
    expect((await fetch(`${host.url}/dev/inbox/%ZZ/x`)).status).toBe(404);
  });
});
