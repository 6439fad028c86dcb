/** The users listing and Graph's user → SnapshotUser, on good and malformed rows. */
import { describe, expect, it } from "vitest";
import { toSnapshotUser, USERS_PAGE, USERS_PAGE_WITH_SIGN_IN, usersRequest } from "../../shared/collect/users.js";

const GRAPH_USER = {
  id: "u1",
  userPrincipalName: "ada@contoso.com",
  displayName: "Ada",
  accountEnabled: true,
  userType: "Member",
  createdDateTime: "2024-01-01T00:00:00Z",
  onPremisesSyncEnabled: null,
  signInActivity: {
    lastSignInDateTime: "2026-11-01T00:00:00Z",
    lastNonInteractiveSignInDateTime: null,
    lastSuccessfulSignInDateTime: "2026-11-01T00:00:00Z",
    lastSignInRequestId: "r1",
  },
};

describe("usersRequest", () => {
  it("asks for signInActivity at Graph's 500-row page, and without it at 999", () => {
    expect(usersRequest(true)).toMatchObject({ path: "/users", top: USERS_PAGE_WITH_SIGN_IN });
    expect(usersRequest(true).select).toContain("signInActivity");
    expect(usersRequest(false)).toMatchObject({ path: "/users", top: USERS_PAGE });
    expect(usersRequest(false).select).not.toContain("signInActivity");
  });
});

describe("toSnapshotUser", () => {
  it("keeps the fields the controls read", () => {
    expect(toSnapshotUser(GRAPH_USER)).toEqual({
      id: "u1",
      userPrincipalName: "ada@contoso.com",
      displayName: "Ada",
      accountEnabled: true,
      userType: "Member",
      createdDateTime: "2024-01-01T00:00:00Z",
      onPremisesSyncEnabled: null,
      signInActivity: {
        lastSignInDateTime: "2026-11-01T00:00:00Z",
        lastNonInteractiveSignInDateTime: null,
        lastSuccessfulSignInDateTime: "2026-11-01T00:00:00Z",
      },
    });
  });

  it("has no signInActivity when Graph returned none (never signed in, or not readable)", () => {
    const { signInActivity: _, ...withoutSignIn } = GRAPH_USER;
    expect(toSnapshotUser(withoutSignIn)).not.toHaveProperty("signInActivity");
    expect(toSnapshotUser({ ...GRAPH_USER, signInActivity: null })).not.toHaveProperty("signInActivity");
  });

  it("reads fields of the wrong type as unknown, never as a value they are not", () => {
    const user = toSnapshotUser({
      ...GRAPH_USER,
      displayName: 5,
      accountEnabled: "true",
      userType: {},
      onPremisesSyncEnabled: "yes",
      signInActivity: { lastSignInDateTime: 1 },
    });
    expect(user).toMatchObject({ displayName: null, accountEnabled: false, userType: null, onPremisesSyncEnabled: null });
    expect(user.signInActivity).toEqual({
      lastSignInDateTime: null,
      lastNonInteractiveSignInDateTime: null,
      lastSuccessfulSignInDateTime: null,
    });
  });

  it.each([
    ["no id", { ...GRAPH_USER, id: undefined }],
    ["a numeric id", { ...GRAPH_USER, id: 1 }],
    ["no userPrincipalName", { ...GRAPH_USER, userPrincipalName: null }],
  ])("rejects a user with %s as a broken answer", (_, raw) => {
    expect(() => toSnapshotUser(raw)).toThrow(/^Graph returned a user without id or userPrincipalName/);
  });
});
