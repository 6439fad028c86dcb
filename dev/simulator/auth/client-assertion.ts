/**
 * `client_assertion` at the token endpoint: the two kinds tenant-patrol sends.
 * - Certificate credentials: a JWT the app signs with its certificate's key, `iss` = `sub` = client
 *   id, `aud` = the token endpoint, key named by `x5t` (SHA-1, RS256) or `x5t#S256` (SHA-256, PS256,
 *   what MSAL Node sends) ("Microsoft identity platform application authentication certificate
 *   credentials", learn.microsoft.com/entra/identity-platform/certificate-credentials).
 * - Federated credentials: a token from another issuer (here the simulator's managed-identity
 *   endpoint) whose `iss`/`sub`/`aud` match one of the app's federated identity credentials,
 *   case-sensitively ("Workload identity federation", learn.microsoft.com/entra/workload-id/
 *   workload-identity-federation; case-sensitive matching: Entra "breaking changes", 2024-2025).
 * Error codes: AADSTS700021/700023/700024/700027 are documented per credential in "Troubleshoot
 * service principal authentication" (learn.microsoft.com/azure/developer/java/sdk/troubleshooting-
 * authentication-service-principal); 700024 observed in Azure/aks-set-context#101; 700027's
 * "[Reason - The key was not found., Thumbprint of key used by client: …]" observed in
 * Azure/azure-sdk-for-net#29007; AADSTS700213 (subject) observed in Azure/login#482 and
 * dotnet/maui#31978, and a 400 invalid_request for a federated mismatch in
 * Azure/azure-workload-identity#616. 700211 (issuer), 700212 (audience) and 50013 (federated
 * signature) follow the same family; their exact texts were not observed.
 */
import { X509Certificate, type KeyObject } from "node:crypto";
import type { SimulatorApp } from "./apps.js";
import { decodeJwt, verifyRsaSignature, type DecodedJwt } from "./jwt.js";

export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** Entra tolerates a few minutes of clock skew on `nbf`. */
const CLOCK_SKEW_SECONDS = 300;

export interface AssertionRefusal {
  readonly status: number;
  readonly error: string;
  readonly code: number;
  readonly description: string;
}

export interface AssertionContext {
  readonly app: SimulatorApp;
  readonly clientId: string;
  /** What `aud` of a certificate assertion may be: the token endpoint the request went to, or the tenant's issuer. */
  readonly tokenAudiences: readonly string[];
  readonly authorityHost: string;
  /** Verifies tokens of the simulator's managed-identity issuer. */
  readonly managedIdentityKey: KeyObject;
  /** Seconds since the epoch. */
  readonly now: number;
}

/** undefined when the assertion authenticates the app; otherwise Entra's refusal. */
export function checkClientAssertion(
  context: AssertionContext,
  assertionType: string | null,
  assertion: string,
): AssertionRefusal | undefined {
  const jwt = decodeJwt(assertion);
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE || !jwt) {
    return refusal(400, "invalid_request", 50027, "JWT token is invalid or malformed.");
  }
  const issuer = claim(jwt, "iss");
  return issuer.toLowerCase() === context.clientId.toLowerCase()
    ? checkCertificateAssertion(context, jwt)
    : checkFederatedAssertion(context, jwt, issuer);
}

function checkCertificateAssertion(context: AssertionContext, jwt: DecodedJwt): AssertionRefusal | undefined {
  const thumbprint = presentedThumbprint(jwt);
  const certificate = (context.app.certificates ?? [])
    .map((pem) => new X509Certificate(pem))
    .find((cert) => thumbprint !== undefined && matches(cert, thumbprint));
  const keysHint = `Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${context.app.clientId}'.`;
  if (!certificate) {
    return invalidClient(
      700027,
      `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint?.hex ?? ""}', ${keysHint}]`,
    );
  }
  if (!verifyRsaSignature(jwt, certificate.publicKey)) {
    return invalidClient(
      700027,
      `Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${thumbprint?.hex ?? ""}', ${keysHint}]`,
    );
  }
  if (claim(jwt, "sub").toLowerCase() !== context.clientId.toLowerCase()) {
    return invalidClient(
      700021,
      "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
    );
  }
  if (!context.tokenAudiences.includes(claim(jwt, "aud"))) {
    return invalidClient(
      700023,
      "Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
    );
  }
  return timeRangeRefusal(context, jwt);
}

function checkFederatedAssertion(context: AssertionContext, jwt: DecodedJwt, issuer: string): AssertionRefusal | undefined {
  const credentials = (context.app.federatedCredentials ?? []).map((credential) => ({
    ...credential,
    issuer: credential.issuer.replace("{authorityHost}", context.authorityHost),
  }));
  const subject = claim(jwt, "sub");
  const audience = claim(jwt, "aud");
  const check =
    "Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
  const sameIssuer = credentials.filter((credential) => credential.issuer === issuer);
  if (sameIssuer.length === 0)
    return invalidRequest(700211, `No matching federated identity record found for presented assertion issuer '${issuer}'. ${check}`);
  const sameSubject = sameIssuer.filter((credential) => credential.subject === subject);
  if (sameSubject.length === 0)
    return invalidRequest(700213, `No matching federated identity record found for presented assertion subject '${subject}'. ${check}`);
  if (!sameSubject.some((credential) => credential.audiences.includes(audience))) {
    return invalidRequest(700212, `No matching federated identity record found for presented assertion audience '${audience}'. ${check}`);
  }
  if (!issuer.startsWith(`${context.authorityHost}/`) || !verifyRsaSignature(jwt, context.managedIdentityKey)) {
    return invalidClient(
      50013,
      "Assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]",
    );
  }
  return timeRangeRefusal(context, jwt);
}

function timeRangeRefusal(context: AssertionContext, jwt: DecodedJwt): AssertionRefusal | undefined {
  const expires = Number(jwt.claims.exp);
  const notBefore = Number(jwt.claims.nbf ?? 0);
  if (Number.isFinite(expires) && expires > context.now && notBefore <= context.now + CLOCK_SKEW_SECONDS) return undefined;
  const at = (seconds: number) => (Number.isFinite(seconds) ? new Date(seconds * 1000).toUTCString() : "none");
  return invalidClient(
    700024,
    `Client assertion is not within its valid time range. Current time: ${at(context.now)}, assertion valid from ${at(notBefore)}, expiry time of assertion ${at(expires)}.`,
  );
}

/** A string claim, or "" when absent or not a string (Entra compares strings only). */
function claim(jwt: DecodedJwt, name: string): string {
  const value = jwt.claims[name];
  return typeof value === "string" ? value : "";
}

interface Thumbprint {
  readonly algorithm: "sha1" | "sha256";
  /** Upper-case hex, as Entra prints it. */
  readonly hex: string;
}

function presentedThumbprint(jwt: DecodedJwt): Thumbprint | undefined {
  const sha256 = jwt.header["x5t#S256"];
  if (typeof sha256 === "string") return { algorithm: "sha256", hex: Buffer.from(sha256, "base64url").toString("hex").toUpperCase() };
  const sha1 = jwt.header.x5t;
  if (typeof sha1 === "string") return { algorithm: "sha1", hex: Buffer.from(sha1, "base64url").toString("hex").toUpperCase() };
  return undefined;
}

function matches(certificate: X509Certificate, thumbprint: Thumbprint): boolean {
  const fingerprint = thumbprint.algorithm === "sha256" ? certificate.fingerprint256 : certificate.fingerprint;
  return fingerprint.replaceAll(":", "").toUpperCase() === thumbprint.hex;
}

function refusal(status: number, error: string, code: number, description: string): AssertionRefusal {
  return { status, error, code, description };
}

const invalidClient = (code: number, description: string) => refusal(401, "invalid_client", code, description);
const invalidRequest = (code: number, description: string) => refusal(400, "invalid_request", code, description);
