/**
 * Runs a TypeScript entry point with the simulator's test CA trusted (npm scripts use it). Node
 * reads NODE_EXTRA_CA_CERTS only at start-up, so the entry point runs in a child process.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { extraCaCertsWithSimulator } from "./simulator/trust.js";

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write("usage: tsx dev/with-test-ca.ts <entry.ts> [args...]\n");
  process.exit(2);
}
const tsx = createRequire(import.meta.url).resolve("tsx/cli");
const child = spawn(process.execPath, [tsx, entry, ...args], {
  stdio: "inherit",
  env: { ...process.env, NODE_EXTRA_CA_CERTS: extraCaCertsWithSimulator() },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
