/**
 * Starts and stops Azurite (blob, queue and table) for tests, the CLI and the local host.
 * Ports: Azurite binds port 0 and we read the ports it got from its own start-up lines, so there
 * is no window in which a pre-picked free port can be taken by someone else.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";

export interface StartAzuriteOptions {
  /** Folder that keeps Azurite's data between starts; in memory when omitted. */
  readonly location?: string;
  /** Default true: no access log. False forwards Azurite's output to this process's. */
  readonly silent?: boolean;
  /** Default 20 s. */
  readonly startTimeoutInMs?: number;
  /** Extra Node.js options for Azurite's process, e.g. `["--require", preload]` (the benchmark's). */
  readonly nodeOptions?: readonly string[];
}

export interface AzuriteInstance {
  /** Explicit devstoreaccount1 string with Blob, Queue and Table endpoints. */
  readonly connectionString: string;
  /** Stops the process group; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** Azurite's process id (the benchmark reads its CPU time). */
  readonly pid: number | undefined;
}

const ACCOUNT = "devstoreaccount1";
/** Azurite's well-known development key (public, not a secret). */
const ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const AZURITE_MAIN = createRequire(import.meta.url).resolve("azurite/dist/src/azurite.js");
const SERVICES = ["Blob", "Queue", "Table"] as const;
type Service = (typeof SERVICES)[number];
const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/\S+)/g;
const STOP_GRACE_IN_MS = 5_000;

export async function startAzurite(options: StartAzuriteOptions = {}): Promise<AzuriteInstance> {
  const silent = options.silent ?? true;
  if (options.location !== undefined) await mkdir(options.location, { recursive: true });
  const args = [
    ...(options.nodeOptions ?? []),
    AZURITE_MAIN,
    ...(options.location === undefined ? ["--inMemoryPersistence"] : ["--location", options.location]),
    ...SERVICES.flatMap((service) => [`--${service.toLowerCase()}Host`, "127.0.0.1", `--${service.toLowerCase()}Port`, "0"]),
    "--disableTelemetry",
    "--skipApiVersionCheck",
    "--loose",
    ...(silent ? ["--silent"] : []),
  ];
  // Its own process group, so stop() reaches anything it spawns. Ctrl-C in a terminal then does
  // not reach Azurite: callers stop() it from their signal handler; a normal exit kills it below.
  const child = spawn(process.execPath, args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const killOnExit = (): void => killGroup(child, "SIGKILL");
  process.once("exit", killOnExit);
  try {
    const endpoints = await waitUntilListening(child, options.startTimeoutInMs ?? 20_000);
    if (silent) {
      child.stdout?.resume();
      child.stderr?.resume();
    } else {
      child.stdout?.pipe(process.stdout);
      child.stderr?.pipe(process.stderr);
    }
    let stopped: Promise<void> | undefined;
    return {
      connectionString: connectionStringFor(endpoints),
      pid: child.pid,
      stop: () => (stopped ??= stopGroup(child).finally(() => process.off("exit", killOnExit))),
    };
  } catch (error) {
    await stopGroup(child);
    process.off("exit", killOnExit);
    throw error;
  }
}

function waitUntilListening(child: ChildProcess, timeoutInMs: number): Promise<Record<Service, string>> {
  return new Promise((resolve, reject) => {
    let output = "";
    const fail = (why: string): void => {
      cleanup();
      reject(new Error(`Azurite ${why}. Its output:\n${output || "(none)"}`));
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
      const endpoints = parseEndpoints(output);
      if (endpoints === undefined) return;
      cleanup();
      resolve(endpoints);
    };
    // "close", not "exit": it comes after the last output, which usually says why.
    const onClose = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(`exited (${signal ?? `code ${code}`}) before listening`);
    const onError = (error: Error): void => fail(`could not be started: ${error.message}`);
    const timer = setTimeout(() => fail(`did not listen within ${timeoutInMs} ms`), timeoutInMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("close", onClose);
      child.off("error", onError);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("close", onClose);
    child.once("error", onError);
  });
}

function parseEndpoints(output: string): Record<Service, string> | undefined {
  const found = new Map<string, string>();
  for (const [, service, url] of output.matchAll(LISTENING)) if (service && url) found.set(service, url);
  const [blob, queue, table] = SERVICES.map((service) => found.get(service));
  return blob && queue && table ? { Blob: blob, Queue: queue, Table: table } : undefined;
}

function connectionStringFor(endpoints: Record<Service, string>): string {
  const serviceEndpoints = SERVICES.map((service) => `${service}Endpoint=${endpoints[service]}/${ACCOUNT};`);
  return `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};${serviceEndpoints.join("")}`;
}

/** SIGTERM lets Azurite close its servers (and flush a --location store); SIGKILL after a grace. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  killGroup(child, "SIGTERM");
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), STOP_GRACE_IN_MS);
  await exited;
  clearTimeout(timer);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what we wanted.
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
