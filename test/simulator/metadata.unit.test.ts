/** What the simulator makes up itself (defaults, sent messages) has Graph's real shapes (CSDL). */
import { describe, expect, it } from "vitest";
import { validateGraphValue } from "../../dev/simulator/metadata/graph-schema.js";
import { AUTHORIZATION_POLICY_KEY, SECURITY_DEFAULTS_KEY, SINGLETON_DEFAULTS } from "../../dev/simulator/state/defaults.js";
import { Mailboxes } from "../../dev/simulator/state/mailbox.js";

describe("simulator-made objects pass Graph's v1.0 metadata", () => {
  it.each([
    [SECURITY_DEFAULTS_KEY, "identitySecurityDefaultsEnforcementPolicy"],
    [AUTHORIZATION_POLICY_KEY, "authorizationPolicy"],
  ])("the default %s", (key, typeName) => {
    expect(validateGraphValue(SINGLETON_DEFAULTS[key], typeName)).toEqual([]);
  });

  it("a message stored in Sent Items", () => {
    const stored = new Mailboxes().recordSent(
      { id: "u1", displayName: "Patrol", address: "patrol@contoso.com" },
      {
        subject: "s",
        body: { contentType: "HTML", content: "<b>hi</b>" },
        toRecipients: [{ emailAddress: { address: "it@contoso.com" } }],
      },
      new Date("2025-01-01T00:00:00Z"),
    );
    expect(validateGraphValue(stored, "message")).toEqual([]);
  });

  it("and the check is not vacuous", () => {
    expect(validateGraphValue({ isEnabled: "yes", colour: "red" }, "identitySecurityDefaultsEnforcementPolicy")).toHaveLength(2);
  });
});
