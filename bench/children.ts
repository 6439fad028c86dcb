/** The benchmark's child processes: TypeScript entry points run through tsx with Node IPC. */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

export interface Child {
  readonly process: ChildProcess;
  /** The next message of this type (messages are `{ type, ... }`). */
  next<T extends { type: string }>(type: T["type"]): Promise<T>;
  send(message: unknown): void;
  /** Resolves with the exit code. */
  readonly exited: Promise<number>;
  kill(): void;
}

export interface ChildOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** V8 old-space limit in MB. */
  readonly heapMb?: number;
  /** Run the compiled JavaScript (buildWorkers) instead of the TypeScript through tsx. */
  readonly compiled?: boolean;
}

/** Where buildWorkers puts the compiled scanning children (gitignored). */
const BUILD_DIR = path.resolve(import.meta.dirname, "../.data/bench-build");

/**
 * Compiles the scanning children as the function app is deployed: plain JavaScript, so their
 * memory is the product's and not tsx's (which alone adds ~70 MB of RSS).
 */
export function buildWorkers(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", path.resolve(import.meta.dirname, "tsconfig.workers.json")], { stdio: "inherit" });
}

export function startChild(entry: string, args: readonly string[], options: ChildOptions = {}): Child {
  const file = options.compiled ? path.join(BUILD_DIR, "bench", entry.replace(/\.ts$/, ".js")) : path.resolve(import.meta.dirname, entry);
  const child = fork(file, [...args], {
    execArgv: [
      ...(options.compiled ? [] : ["--import", "tsx"]),
      ...(options.heapMb ? [`--max-old-space-size=${options.heapMb}`] : []),
      // e.g. BENCH_CHILD_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the children.
      ...(process.env.BENCH_CHILD_NODE_OPTIONS?.split(" ").filter(Boolean) ?? []),
    ],
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting = new Map<string, ((message: { type: string }) => void)[]>();
  const queued: { type: string }[] = [];
  child.on("message", (message: { type: string }) => {
    const waiter = waiting.get(message.type)?.shift();
    if (waiter) waiter(message);
    else queued.push(message);
  });
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
  return {
    process: child,
    next<T extends { type: string }>(type: T["type"]): Promise<T> {
      const at = queued.findIndex((m) => m.type === type);
      if (at !== -1) return Promise.resolve(queued.splice(at, 1)[0] as T);
      return new Promise<T>((resolve, reject) => {
        const list = waiting.get(type) ?? [];
        list.push((m) => resolve(m as T));
        waiting.set(type, list);
        void exited.then((code) => reject(new Error(`${entry} exited with code ${code} before sending "${type}"`)));
      });
    },
    send(message: unknown) {
      child.send(message as object);
    },
    exited,
    kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

/** CPU seconds a process has used (Linux /proc; 0 elsewhere). */
export function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
