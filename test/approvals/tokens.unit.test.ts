import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import fc from "fast-check";
import { base64url, SignJWT, UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { parseSigningKeys, SigningKey, signingKeys, type SigningKeys } from "../../shared/config/signing-keys.js";
import { APPROVAL_TOKEN_AUDIENCE, APPROVAL_TOKEN_ISSUER, ApprovalTokenSigner, verifyApprovalToken } from "../../shared/approvals/tokens.js";
import type { ApprovalTokenClaims } from "../../shared/model/approval.js";
import { REMEDIATION_ACTIONS, type RemediationAction } from "../../shared/model/remediation.js";

const key = (kid: string, fill?: number) => new SigningKey(kid, fill === undefined ? randomBytes(32) : new Uint8Array(32).fill(fill));
const K1 = key("k1", 1);
const K2 = key("k2", 2);
const KEYS: SigningKeys = signingKeys([K1, K2]);
const NOW = new Date("2026-11-28T02:00:00Z");
const CLAIMS: ApprovalTokenClaims = {
  tenantId: "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9",
  approvalId: "0123456789abcdef0123456789abcdef",
  action: "block-account",
  subjectId: "d6b94b58-4552-5f6a-8d71-df62c3f5a358",
  expiresAt: new Date("2026-12-01T02:00:00Z"),
};

const sign = (claims: ApprovalTokenClaims = CLAIMS, keys: SigningKeys = KEYS) => new ApprovalTokenSigner(keys).sign(claims, NOW);
const verify = (token: string, at: Date = NOW, keys: SigningKeys = KEYS) => verifyApprovalToken(token, keys, at);

describe("verifyApprovalToken", () => {
  it("accepts what the signer made, with the claims it bound", async () => {
    const token = await sign();
    expect(await verify(token)).toEqual({ ok: true, claims: CLAIMS });
    const [header, payload] = token
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>);
    expect(header).toEqual({ alg: "HS256", kid: "k1", typ: "JWT" });
    expect(payload).toMatchObject({
      iss: APPROVAL_TOKEN_ISSUER,
      aud: APPROVAL_TOKEN_AUDIENCE,
      tid: CLAIMS.tenantId,
      aid: CLAIMS.approvalId,
      act: "block-account",
    });
  });

  it("keeps a null subject (tenant-level action) null", async () => {
    const claims = { ...CLAIMS, action: "disable-user-consent" as const, subjectId: null };
    expect(await verify(await sign(claims))).toEqual({ ok: true, claims });
  });

  it("is expired from its exp on, and valid the second before", async () => {
    const token = await sign();
    expect((await verify(token, new Date(CLAIMS.expiresAt.getTime() - 1000))).ok).toBe(true);
    expect(await verify(token, CLAIMS.expiresAt)).toEqual({ ok: false, rejection: "expired" });
  });

  it("keeps old links working after a rotation, and refuses them once the old key is dropped", async () => {
    const oldToken = await sign(CLAIMS, signingKeys([K2]));
    const rotated = signingKeys([key("k3", 3), K2]);
    expect((await verify(oldToken, NOW, rotated)).ok).toBe(true);
    expect(new ApprovalTokenSigner(rotated).kid).toBe("k3");
    expect(await verify(oldToken, NOW, signingKeys([key("k3", 3)]))).toEqual({ ok: false, rejection: "unknown-key" });
  });

  it("refuses a token re-signed with another secret under a known key id", async () => {
    const forged = await sign(CLAIMS, signingKeys([key("k1", 9)]));
    expect(await verify(forged)).toEqual({ ok: false, rejection: "bad-signature" });
  });

  it("refuses alg none, a missing kid, other audiences and garbage", async () => {
    const unsecured = new UnsecuredJWT({ tid: CLAIMS.tenantId, aid: CLAIMS.approvalId, act: "block-account", sid: null })
      .setIssuer(APPROVAL_TOKEN_ISSUER)
      .setAudience(APPROVAL_TOKEN_AUDIENCE)
      .setExpirationTime(CLAIMS.expiresAt)
      .encode();
    expect(await verify(unsecured)).toEqual({ ok: false, rejection: "bad-signature" });

    const noKid = await new SignJWT({ tid: "t", aid: "a", act: "block-account", sid: null })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(APPROVAL_TOKEN_ISSUER)
      .setAudience(APPROVAL_TOKEN_AUDIENCE)
      .setExpirationTime(CLAIMS.expiresAt)
      .sign(K1.secret);
    expect(await verify(noKid)).toEqual({ ok: false, rejection: "unknown-key" });

    const otherAudience = await new SignJWT({ tid: "t", aid: "a", act: "block-account", sid: null })
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .setIssuer(APPROVAL_TOKEN_ISSUER)
      .setAudience("someone-else")
      .setExpirationTime(CLAIMS.expiresAt)
      .sign(K1.secret);
    expect(await verify(otherAudience)).toEqual({ ok: false, rejection: "malformed" });

    const unknownAction = await new SignJWT({ tid: "t", aid: "a", act: "delete-tenant", sid: null })
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .setIssuer(APPROVAL_TOKEN_ISSUER)
      .setAudience(APPROVAL_TOKEN_AUDIENCE)
      .setExpirationTime(CLAIMS.expiresAt)
      .sign(K1.secret);
    expect(await verify(unknownAction)).toEqual({ ok: false, rejection: "malformed" });

    for (const garbage of ["", "abc", "a.b", "a.b.c.d", "....", "eyJ.eyJ.", "%%%.%%%.%%%", "x".repeat(5000)]) {
      expect(await verify(garbage), garbage.slice(0, 20)).toEqual({ ok: false, rejection: "malformed" });
    }
  });

  it("refuses well-signed claims in formats we never issue as malformed (they would become storage keys)", async () => {
    const domainClaims = { ...CLAIMS, action: "set-password-never-expire" as const, subjectId: "contoso.onmicrosoft.com" };
    expect((await verify(await sign(domainClaims))).ok).toBe(true);
    const bad: ApprovalTokenClaims[] = [
      { ...CLAIMS, tenantId: "a/b" },
      { ...CLAIMS, tenantId: "contoso" },
      { ...CLAIMS, approvalId: "a/b" },
      { ...CLAIMS, approvalId: CLAIMS.approvalId.toUpperCase() },
      { ...CLAIMS, approvalId: `${CLAIMS.approvalId}0` },
      { ...CLAIMS, subjectId: "a/b" },
      { ...CLAIMS, subjectId: null },
      { ...CLAIMS, action: "disable-user-consent", subjectId: CLAIMS.subjectId },
      { ...domainClaims, subjectId: "contoso" },
      { ...domainClaims, subjectId: "contoso.com/x" },
      { ...domainClaims, subjectId: null },
    ];
    for (const claims of bad) {
      expect(await verify(await sign(claims)), JSON.stringify(claims)).toEqual({ ok: false, rejection: "malformed" });
    }
  });

  it("refuses a non-canonical encoding of a valid token (spare bits in a last character)", async () => {
    const token = await sign();
    const signature = token.split(".")[2]!;
    // 32 bytes → 43 chars: the last character carries 4 data bits and 2 spare ones.
    const last = signature.at(-1)!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    const edited = `${token.slice(0, -1)}${sibling}`;
    expect(base64url.decode(edited.split(".")[2]!)).toEqual(base64url.decode(signature));
    expect(await verify(edited)).toEqual({ ok: false, rejection: "malformed" });
  });
});

/** The subject each action takes: a user's object id, a domain name, or none. */
function subjectArbitrary(action: RemediationAction): fc.Arbitrary<string | null> {
  if (action === "disable-user-consent") return fc.constant(null);
  return action === "set-password-never-expire" ? fc.domain() : fc.uuid();
}

/** Claims as the app issues them (see plan.ts approvalIdFor for the approval id). */
const claimsArbitrary: fc.Arbitrary<ApprovalTokenClaims> = fc
  .record({
    tenantId: fc.uuid(),
    approvalId: fc.string({ minLength: 32, maxLength: 32, unit: fc.constantFrom(..."0123456789abcdef") }),
    action: fc.constantFrom(...REMEDIATION_ACTIONS),
    // Whole seconds after NOW (exp has second precision).
    expiresAt: fc.integer({ min: 1, max: 10 * 365 * 86_400 }).map((s) => new Date(NOW.getTime() + s * 1000)),
  })
  .chain((claims) => subjectArbitrary(claims.action).map((subjectId) => ({ ...claims, subjectId })));

const URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

type Tamper = (token: string) => string;

const tamperArbitrary: fc.Arbitrary<Tamper> = fc.oneof(
  // Replace one character (header, payload, signature or a dot) with a different one.
  fc.tuple(fc.nat(), fc.constantFrom(...URL_SAFE), fc.constantFrom(...URL_SAFE)).map(([at, c, alt]): Tamper => (t) => {
    const i = at % t.length;
    const replacement = t[i] === c ? alt : c;
    return replacement === t[i]
      ? `${t.slice(0, i)}${t[i] === "A" ? "B" : "A"}${t.slice(i + 1)}`
      : `${t.slice(0, i)}${replacement}${t.slice(i + 1)}`;
  }),
  // Insert characters anywhere.
  fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 4, unit: fc.constantFrom(...URL_SAFE) })).map(([at, s]): Tamper => (t) => {
    const i = at % (t.length + 1);
    return `${t.slice(0, i)}${s}${t.slice(i)}`;
  }),
  // Delete a run of characters.
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 5 })).map(([at, n]): Tamper => (t) => {
    const i = at % t.length;
    return `${t.slice(0, i)}${t.slice(i + n)}`;
  }),
  // Swap two different segments.
  fc.constantFrom<[number, number]>([0, 1], [0, 2], [1, 2]).map(([a, b]): Tamper => (t) => {
    const parts = t.split(".");
    [parts[a], parts[b]] = [parts[b]!, parts[a]!];
    return parts.join(".");
  }),
  // Re-encode the payload with one claim changed, keeping the signature.
  fc.constantFrom("tid", "aid", "act", "sid", "exp").map((claim): Tamper => (t) => {
    const [h, p, s] = t.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString("utf8")) as Record<string, unknown>;
    payload[claim] = claim === "exp" ? Number(payload.exp) + 86_400 : claim === "act" ? "enforce-mfa-x" : `${String(payload[claim])}x`;
    return `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`;
  }),
  // Swap the header's kid to the other configured key.
  fc.constant<Tamper>((t) => {
    const [h, p, s] = t.split(".");
    const header = JSON.parse(Buffer.from(h!, "base64url").toString("utf8")) as Record<string, unknown>;
    header.kid = header.kid === "k1" ? "k2" : "k1";
    return `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${p}.${s}`;
  }),
  // alg none: drop the signature.
  fc.constant<Tamper>((t) => {
    const [, p] = t.split(".");
    return `${Buffer.from(JSON.stringify({ alg: "none", kid: "k1" })).toString("base64url")}.${p}.`;
  }),
);

describe("verifyApprovalToken properties", () => {
  it("round-trips any claims", async () => {
    await fc.assert(
      fc.asyncProperty(claimsArbitrary, async (claims) => {
        expect(await verify(await sign(claims))).toEqual({ ok: true, claims });
      }),
      { numRuns: 200 },
    );
  });

  it("never accepts a tampered token", async () => {
    await fc.assert(
      fc.asyncProperty(claimsArbitrary, tamperArbitrary, async (claims, tamper) => {
        const token = await sign(claims);
        const tampered = tamper(token);
        fc.pre(tampered !== token);
        const result = await verify(tampered);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it("never accepts a token signed with a key it does not hold", async () => {
    await fc.assert(
      fc.asyncProperty(
        claimsArbitrary,
        fc.uint8Array({ minLength: 32, maxLength: 64 }),
        fc.constantFrom("k1", "k2", "k9"),
        async (claims, secret, kid) => {
          fc.pre(!KEYS.some((k) => Buffer.from(k.secret).equals(Buffer.from(secret))));
          const result = await verify(await sign(claims, signingKeys([new SigningKey(kid, secret)])));
          expect(result).toEqual({ ok: false, rejection: kid === "k9" ? "unknown-key" : "bad-signature" });
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("signing keys", () => {
  const secret = (fill: number, bytes = 32) => Buffer.alloc(bytes, fill).toString("base64");

  it("parses kid:base64 pairs (standard or URL-safe), first one signs", () => {
    const keys = parseSigningKeys(` new:${secret(1)} , old:${Buffer.alloc(40, 250).toString("base64url")}`);
    expect(keys.map((k) => k.kid)).toEqual(["new", "old"]);
    expect(keys[1]?.secret).toEqual(new Uint8Array(40).fill(250));
  });

  it.each([
    ["", /at least one key/],
    [`k1${secret(1)}`, /entry 1 is not "kid:base64secret"/],
    [`k1:${secret(1, 31)}`, /entry 1: the secret is 31 bytes; it must be at least 32/],
    [`k1:not base64!`, /entry 1: the secret is not base64/],
    [`k1:${secret(1)},k2:${secret(3)},k1:${secret(2)}`, /entries 1 and 3 have the same key id/],
    [`bad kid:${secret(1)}`, /entry 1: the key id must be/],
  ])("refuses %j", (text, message) => {
    expect(() => parseSigningKeys(text)).toThrow(message);
  });

  it("never shows a secret in errors, JSON or inspect output", () => {
    const urlSafe = Buffer.alloc(32, 7).toString("base64url");
    for (const swapped of [`${secret(7)}:k1`, `${urlSafe}:k1`, `k1:${urlSafe},k1:${urlSafe}`]) {
      expect(() => parseSigningKeys(swapped)).toThrow(RangeError);
      try {
        parseSigningKeys(swapped);
      } catch (e) {
        expect((e as Error).message).not.toContain(urlSafe.slice(0, 16));
      }
    }
    const [k] = parseSigningKeys(`k1:${secret(7)}`);
    const bytes = Buffer.alloc(32, 7);
    expect(JSON.stringify({ k })).toBe('{"k":{"kid":"k1"}}');
    expect(inspect(k, { depth: 5 })).not.toContain("7, 7, 7");
    expect(inspect({ ...k })).not.toContain(bytes.toString("base64"));
  });
});
