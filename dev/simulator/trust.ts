/**
 * Trusting the simulator's test CA. Node reads NODE_EXTRA_CA_CERTS once, at process start, and it
 * names a single file: when the environment already points it at a bundle (many CI images and this
 * machine set /etc/ssl/certs/ca-certificates.crt), replacing it would drop that trust, and keeping
 * it leaves the simulator untrusted. This writes one bundle with both.
 *
 * Use before starting processes that talk to the simulator (vitest.config.ts, npm scripts):
 *   process.env.NODE_EXTRA_CA_CERTS = extraCaCertsWithSimulator();
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const SIMULATOR_CA_PATH = fileURLToPath(new URL("./certs/ca.pem", import.meta.url));

/** A NODE_EXTRA_CA_CERTS value that trusts the simulator's CA and everything `current` trusted. */
export function extraCaCertsWithSimulator(current: string | undefined = process.env.NODE_EXTRA_CA_CERTS): string {
  const simulatorCa = readFileSync(SIMULATOR_CA_PATH, "utf8");
  if (current === undefined || current === "" || path.resolve(current) === SIMULATOR_CA_PATH) return SIMULATOR_CA_PATH;
  const existing = readFileSync(current, "utf8");
  if (existing.includes(simulatorCa.trim())) return current;
  const bundle = `${existing.trimEnd()}\n${simulatorCa}`;
  // Content-addressed, so parallel runs want the same file with the same bytes. Written to a
  // private name and renamed into place: a process starting meanwhile never reads half a bundle.
  const file = path.join(tmpdir(), `tenant-patrol-ca-${createHash("sha256").update(bundle).digest("hex").slice(0, 16)}.pem`);
  if (existsSync(file) && readFileSync(file, "utf8") === bundle) return file;
  const partial = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(partial, bundle);
  renameSync(partial, file);
  return file;
}
