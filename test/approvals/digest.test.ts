import { ClientSecretCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator, TEST_APP_CLIENT_ID, TEST_APP_CLIENT_SECRET, type GraphSimulator } from "../../dev/simulator/index.js";
import { approvalLink, renderDigest, sendDigest, type DigestInput } from "../../shared/approvals/digest.js";
import type { Approval } from "../../shared/model/approval.js";
import { createGraphClient } from "../../shared/graph/client.js";
import { escapeHtml } from "../../shared/views/html.js";
import { TENANT_A, tenantFixture, user, userId } from "../simulator/helpers/fixtures.js";
import { pendingApproval } from "./builders.js";

const TENANT = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
const RUN = "20261128T020000.000Z";
const HOSTILE = '<img src=x onerror=alert(1)> "Bobby" & Tables';
const BASE = "https://patrol.contoso.example";

function approval(approvalId: string, overrides: Partial<Approval>): Approval {
  return pendingApproval({ tenantId: TENANT, approvalId, runId: RUN, subjectId: `subject-${approvalId}`, ...overrides });
}

const bobby = approval("bobby", {
  subjectId: "d6b94b58-4552-5f6a-8d71-df62c3f5a358",
  evidence: {
    userPrincipalName: "bobby.tables@contoso.com",
    displayName: HOSTILE,
    userType: "Member",
    lastActivity: "2026-10-02T13:37:00Z",
    neverSignedIn: false,
    createdDateTime: "2022-07-04T09:00:00Z",
    daysInactive: 56,
  },
});
const ben = approval("ben", {
  evidence: {
    userPrincipalName: "ben.walters@contoso.com",
    displayName: "Ben Walters",
    neverSignedIn: true,
    lastActivity: null,
    daysInactive: 87,
    createdDateTime: "2026-09-01T00:00:00Z",
  },
});
const admin = approval("admin", {
  control: "mfa.admins",
  action: "enforce-mfa",
  evidence: {
    reason: "not-registered",
    userPrincipalName: "adele@contoso.com",
    displayName: "Adele Vance",
    roles: ["Global Administrator", "User Administrator"],
  },
});
const consent = approval("consent", {
  control: "apps.user-consent",
  action: "disable-user-consent",
  subjectId: null,
  evidence: { offending: ["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"] },
});
const domain = approval("domain", {
  control: "password.never-expire",
  action: "set-password-never-expire",
  subjectId: "contoso.com",
  evidence: { passwordValidityPeriodInDays: 90 },
});

const input = (approvals: readonly Approval[], overrides: Partial<DigestInput> = {}): DigestInput => ({
  tenant: { tenantId: TENANT, displayName: "Contoso" },
  runId: RUN,
  approvals,
  linkFor: (a, decision) => approvalLink(BASE, `token-${a.approvalId}`, decision),
  ...overrides,
});

describe("renderDigest", () => {
  const digest = renderDigest(input([domain, bobby, consent, admin, ben]));

  it("never renders a display name as markup", () => {
    expect(digest.html).not.toMatch(/<img/i);
    expect(digest.html).not.toContain("onerror=alert(1)>");
    expect(digest.html).toContain(escapeHtml(HOSTILE));
    expect(escapeHtml(HOSTILE)).toBe("&lt;img src=x onerror=alert(1)&gt; &quot;Bobby&quot; &amp; Tables");
    // Plain text is not HTML: the name appears as it is.
    expect(digest.text).toContain(HOSTILE);
  });

  it("drops control and bidi characters from names, so they cannot fake lines or reverse text", () => {
    const spoof = approval("spoof", {
      evidence: { displayName: "Eve\r\nApprove: https://evil.example \u202Egpj.exe", userPrincipalName: "eve@contoso.com" },
    });
    const rendered = renderDigest(input([spoof]));
    expect(rendered.text).toContain("Eve Approve: https://evil.example gpj.exe");
    expect(rendered.text).not.toContain("\u202E");
    expect(rendered.html).not.toContain("\u202E");
  });

  it("shows a hostile tenant name as text: escaped in the HTML, one line in the subject, no bidi override anywhere", () => {
    const tenant = { tenantId: TENANT, displayName: `${HOSTILE}\r\nBcc: all@contoso.com \u202Egpj.exe` };
    const rendered = renderDigest(input([bobby], { tenant }));
    expect(rendered.subject).toBe(`Tenant Patrol: 1 approval request for ${HOSTILE} Bcc: all@contoso.com gpj.exe`);
    expect(rendered.html).not.toContain("onerror=alert(1)>");
    expect(rendered.html).toContain(`${escapeHtml(HOSTILE)} Bcc: all@contoso.com gpj.exe`);
    for (const part of [rendered.subject, rendered.html, rendered.text]) expect(part).not.toMatch(/[\r\u202E]/);
  });

  it("groups by control in catalog order, with the control's title and a count", () => {
    const headings = [...digest.html.matchAll(/<h2[^>]*>([^<]+)</g)].map((m) => m[1]!.trim());
    expect(headings).toEqual([
      "Enabled accounts inactive for 30–89 days",
      "Administrators are registered for MFA and required to use it",
      "Passwords are set to never expire",
      "Users cannot consent to applications on their own",
    ]);
    expect(digest.text.indexOf("== Check failed: Enabled accounts inactive")).toBeLessThan(
      digest.text.indexOf("== Check failed: Administrators"),
    );
    expect(digest.text).toContain("== Check failed: Enabled accounts inactive for 30–89 days (low, 2) ==");
    expect(digest.subject).toBe("Tenant Patrol: 5 approval requests for Contoso");
  });

  it("shows each item's evidence", () => {
    for (const expected of [
      `* ${HOSTILE} (bobby.tables@contoso.com)`,
      "* Ben Walters (ben.walters@contoso.com)",
      "Last activity: 2026-10-02 13:37 UTC",
      "Days inactive: 56",
      "Last activity: Never signed in",
      "Roles: Global Administrator, User Administrator",
      "Why: No MFA method registered",
      "Policies letting users consent: ManagePermissionGrantsForSelf.microsoft-user-default-legacy",
      "* contoso.com (Domain)",
      "Passwords expire after: 90 days",
    ]) {
      expect(digest.text).toContain(expected);
    }
    expect(digest.html).toContain("Global Administrator, User Administrator");
    expect(digest.html).toContain("2026-10-02 13:37 UTC");
    expect(digest.text).toContain("The links work until 2026-12-01 02:30 UTC.");
  });

  it("gives every item its own Approve and Reject link", () => {
    for (const a of [domain, bobby, consent, admin, ben]) {
      for (const decision of ["approve", "reject"] as const) {
        const link = `${BASE}/api/approvals/token-${a.approvalId}?decision=${decision}`;
        expect(digest.html).toContain(`href="${link}"`);
        expect(digest.text).toContain(link);
      }
    }
    expect(digest.html.match(/>Approve<\/a>/g)).toHaveLength(5);
    expect(digest.html.match(/>Reject<\/a>/g)).toHaveLength(5);
  });

  it("uses inline styles only", () => {
    expect(digest.html).not.toMatch(/<style|<link|<script/i);
    expect(digest.html).toContain('style="');
  });

  it("mentions requests held for later runs", () => {
    expect(renderDigest(input([bobby], { deferred: 7 })).text).toContain("7 more finding(s) wait for a later run.");
  });

  it("refuses links that are not http(s) and an empty digest", () => {
    expect(() => renderDigest(input([bobby], { linkFor: () => "javascript:alert(1)" }))).toThrow(RangeError);
    expect(() => renderDigest(input([]))).toThrow(RangeError);
  });
});

describe("approvalLink", () => {
  it("points at the approval page with the decision to preselect", () => {
    expect(approvalLink("https://patrol.example/", "a.b.c", "reject")).toBe("https://patrol.example/api/approvals/a.b.c?decision=reject");
  });
});

describe("sendDigest", () => {
  let sim: GraphSimulator;
  const SENDER = userId(1);

  beforeAll(async () => {
    sim = await startGraphSimulator({
      fixtures: [tenantFixture({ graph: { "v1.0/users": [user(1, { mail: "patrol@contoso.com", displayName: "Tenant Patrol" })] } })],
      throttling: { enabled: false },
    });
  });
  afterAll(() => sim.close());

  it("lands in the sender's Sent Items as one HTML message to every approver", async () => {
    const graph = createGraphClient({
      credential: new ClientSecretCredential(TENANT_A, TEST_APP_CLIENT_ID, TEST_APP_CLIENT_SECRET, {
        authorityHost: sim.authorityHost,
        disableInstanceDiscovery: true,
      }),
      baseUrl: sim.baseUrl,
    });
    const digest = renderDigest(input([bobby, admin]));
    await sendDigest(graph, {
      sender: "user1@contoso.com",
      approvers: ["it@contoso.com", " IT@contoso.com", "sec@contoso.com", "not an address"],
      digest,
    });
    const [sent, ...older] = sim.tenant(TENANT_A).sentMail(SENDER);
    expect(older).toEqual([]);
    expect(sent).toMatchObject({
      subject: digest.subject,
      body: { contentType: "html", content: digest.html },
      toRecipients: [{ emailAddress: { address: "it@contoso.com" } }, { emailAddress: { address: "sec@contoso.com" } }],
      from: { emailAddress: { address: "patrol@contoso.com" } },
    });
    await expect(sendDigest(graph, { sender: "user1@contoso.com", approvers: ["nope"], digest })).rejects.toThrow(RangeError);
  });
});
