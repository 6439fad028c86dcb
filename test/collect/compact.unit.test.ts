/** The compact row encodings a long scan keeps between invocations: reversible, and strict on reading back. */
import { describe, expect, it } from "vitest";
import { decodeRegistration, decodeUser, encodeRegistration, encodeUser } from "../../shared/collect/compact.js";
import type { RegistrationDetail, SnapshotUser } from "../../shared/model/snapshot.js";

const USER: SnapshotUser = {
  id: "u1",
  userPrincipalName: "ada@contoso.com",
  displayName: "Ada",
  accountEnabled: true,
  userType: "Member",
  createdDateTime: "2024-01-01T00:00:00Z",
  onPremisesSyncEnabled: false,
  signInActivity: {
    lastSignInDateTime: "2026-11-01T00:00:00Z",
    lastNonInteractiveSignInDateTime: null,
    lastSuccessfulSignInDateTime: null,
  },
};

describe("users", () => {
  it.each([
    ["with sign-in activity", USER],
    ["without sign-in activity", { ...USER, signInActivity: undefined }],
    [
      "with unknown fields",
      { ...USER, displayName: null, userType: null, createdDateTime: null, onPremisesSyncEnabled: null, accountEnabled: false },
    ],
  ])("decode(encode(user)) is the user, %s", (_, user) => {
    const { signInActivity, ...rest } = user;
    const expected = signInActivity ? user : rest;
    expect(decodeUser(JSON.parse(JSON.stringify(encodeUser(user))))).toEqual(expected);
  });

  it.each([
    ["not an array", { id: "u1" }],
    ["a wrong length", ["u1", "a@b.c", null]],
    ["a numeric id", [1, "a@b.c", null, 1, null, null, null]],
  ])("rejects a stored user that is %s", (_, stored) => {
    expect(() => decodeUser(stored)).toThrow(/^Not an encoded user/);
  });
});

describe("registration rows", () => {
  it("decode(encode(row)) is the row, for every combination of flags", () => {
    for (let flags = 0; flags < 8; flags++) {
      const row: RegistrationDetail = {
        id: "u1",
        userPrincipalName: "ada@contoso.com",
        isMfaRegistered: (flags & 1) !== 0,
        isSsprEnabled: (flags & 2) !== 0,
        isSsprRegistered: (flags & 4) !== 0,
      };
      expect(decodeRegistration(encodeRegistration(row))).toEqual(row);
    }
  });

  it("rejects a stored row that is not a tuple of id, UPN and flags", () => {
    expect(() => decodeRegistration(["u1", "a@b.c", "7"])).toThrow(/^Not an encoded registration row/);
    expect(() => decodeRegistration(null)).toThrow(/^Not an encoded registration row/);
  });
});
