/**
 * The keys that sign approval link tokens, as configured in APPROVAL_SIGNING_KEYS:
 * `kid:base64secret[,kid:base64secret…]`. The first key signs new tokens; every listed key still
 * verifies, so a rotation is: put the new key first, keep the old one until its links expired
 * (APPROVAL_TTL_HOURS), then drop it. Secrets are never echoed, logged or serialized.
 */

/** HS256 wants a key at least as long as its hash (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;
const KID = /^[A-Za-z0-9._-]{1,64}$/;
/** Standard or URL-safe base64, padding optional. */
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** One HMAC key. The secret is a getter on a private field: not in JSON, inspect or spread output. */
export class SigningKey {
  readonly kid: string;
  readonly #secret: Uint8Array;

  constructor(kid: string, secret: Uint8Array) {
    // Key ids are never echoed in errors: a swapped "secret:kid" entry would print the secret.
    if (!KID.test(kid)) throw new RangeError(`a key id must be 1–64 letters, digits, ".", "_" or "-"`);
    if (secret.byteLength < MIN_SECRET_BYTES) {
      throw new RangeError(`a secret is ${secret.byteLength} bytes; it must be at least ${MIN_SECRET_BYTES}`);
    }
    this.kid = kid;
    this.#secret = Uint8Array.from(secret);
  }

  get secret(): Uint8Array {
    return this.#secret;
  }

  toJSON(): { kid: string } {
    return { kid: this.kid };
  }
}

/** First = the key that signs; all of them verify. Never empty, key ids unique. */
export type SigningKeys = readonly [SigningKey, ...SigningKey[]];

/** Checks a key list built in code (tests, tools) the way parseSigningKeys checks the setting. */
export function signingKeys(keys: readonly SigningKey[]): SigningKeys {
  const [first, ...rest] = keys;
  if (first === undefined) throw new RangeError("needs at least one key");
  const seen = new Map<string, number>();
  keys.forEach((key, i) => {
    const earlier = seen.get(key.kid);
    if (earlier !== undefined) throw new RangeError(`entries ${earlier + 1} and ${i + 1} have the same key id`);
    seen.set(key.kid, i);
  });
  return [first, ...rest];
}

/**
 * Parses `kid:base64secret,…`. RangeError naming the entry by position only (never its text, which
 * may be a secret in the wrong place) when an entry is not `kid:secret`, a secret is not base64 or
 * shorter than 32 bytes, or a key id repeats.
 */
export function parseSigningKeys(text: string): SigningKeys {
  const entries = text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const keys = entries.map((entry, i) => {
    const colon = entry.indexOf(":");
    if (colon < 0) throw new RangeError(`entry ${i + 1} is not "kid:base64secret"`);
    const kid = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KID.test(kid)) throw new RangeError(`entry ${i + 1}: the key id must be 1–64 letters, digits, ".", "_" or "-"`);
    if (!BASE64.test(encoded)) throw new RangeError(`entry ${i + 1}: the secret is not base64`);
    const secret = Buffer.from(encoded.replaceAll("-", "+").replaceAll("_", "/"), "base64");
    if (secret.byteLength < MIN_SECRET_BYTES) {
      throw new RangeError(`entry ${i + 1}: the secret is ${secret.byteLength} bytes; it must be at least ${MIN_SECRET_BYTES}`);
    }
    return new SigningKey(kid, secret);
  });
  return signingKeys(keys);
}

/** The key named `kid`, if configured. */
export function findKey(keys: SigningKeys, kid: string): SigningKey | undefined {
  return keys.find((key) => key.kid === kid);
}
