/**
 * A webhook receiver for the tests, over HTTPS on loopback with the simulator's test certificate:
 * it verifies each signature the way docs/runbook/11-outbound-events.md tells receivers to, records
 * every request, and answers per path as the test scripts it (a status, a redirect, or never).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";

const CERT_DIR = new URL("../../dev/simulator/certs/", import.meta.url);

export interface Received {
  readonly path: string;
  readonly at: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** The signature checked with the receiver's secret and a 5-minute window; false when absent. */
  readonly signatureValid: boolean;
}

/** What the receiver answers a request: a status (and headers), or nothing at all. */
export type Answer = { readonly status: number; readonly headers?: Readonly<Record<string, string>> } | "hang";

export interface Receiver {
  readonly origin: string;
  readonly received: Received[];
  /** The answer for `path`'s n-th request (0-based); default 200. */
  script(path: string, answers: (n: number) => Answer): void;
  close(): Promise<void>;
}

/** The verification the runbook shows receivers (HMAC-SHA256 over "t.body", constant-time compare, 5-minute window). */
export function verifySignature(secret: string, header: string | undefined, body: string, nowInSeconds: number): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? "");
  if (!match) return false;
  const [, t = "", v1 = ""] = match;
  if (Math.abs(nowInSeconds - Number(t)) > 300) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, "hex"));
}

export async function startReceiver(secret: string): Promise<Receiver> {
  const received: Received[] = [];
  const scripts = new Map<string, (n: number) => Answer>();
  const server: Server = createServer(
    { key: readFileSync(new URL("localhost.key", CERT_DIR)), cert: readFileSync(new URL("localhost.pem", CERT_DIR)) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const path = req.url ?? "/";
        const body = Buffer.concat(chunks).toString("utf8");
        const n = received.filter((r) => r.path === path).length;
        const signature = req.headers["x-tenantpatrol-signature"];
        received.push({
          path,
          at: Date.now(),
          headers: req.headers,
          body,
          signatureValid: verifySignature(secret, typeof signature === "string" ? signature : undefined, body, Date.now() / 1000),
        });
        const answer = scripts.get(path)?.(n) ?? { status: 200 };
        if (answer === "hang") return;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end("ok");
      });
    },
  );
  // Dual-stack: "localhost" may resolve to ::1 or 127.0.0.1 first.
  await new Promise<void>((resolve) => server.listen(0, "::", resolve));
  return {
    origin: `https://localhost:${(server.address() as AddressInfo).port}`,
    received,
    script: (path, answers) => scripts.set(path, answers),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
