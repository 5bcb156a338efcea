import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';

/**
 * Which CPUs the servers and the load generator run on. On a machine with taskset and at least two
 * CPUs they are kept apart (servers on the first half, the load generator on the rest), so the
 * load generator does not steal the server's CPU; PostgreSQL and Redis are left to the scheduler.
 */
export interface CpuLayout {
  pinned: boolean;
  /** taskset CPU list of the API, the worker and the floor (e.g. "0"). */
  server: string;
  /** taskset CPU list of this process, which runs autocannon (e.g. "1"). */
  load: string;
  /** Every CPU, for work that should not be confined (the import benchmark). */
  all: string;
  cpus: number;
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function cpuLayout(): CpuLayout {
  const cpus = availableParallelism();
  const all = `0-${cpus - 1}`;
  if (cpus < 2 || process.platform !== 'linux' || !hasTaskset()) return { pinned: false, server: all, load: all, all, cpus };
  const half = Math.floor(cpus / 2);
  const range = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);
  return { pinned: true, server: range(0, half - 1), load: range(half, cpus - 1), all, cpus };
}

/** Moves this process (every thread of it) onto the given CPUs. */
export function pinSelf(cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resident set size of a process in MB, from /proc (what `ps` calls RSS); null once it is gone. */
export function rssMb(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `intervalMs` until stopped; reports the peak. */
export class RssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    this.peak = Math.max(this.peak, rssMb(this.pid) ?? 0);
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

export interface SpawnOptions {
  name: string;
  /** The script and its arguments, run by this node binary. */
  args: string[];
  nodeFlags?: string[];
  env: Record<string, string>;
  /** taskset CPU list; omitted: not pinned. */
  cpus?: string;
  cwd: string;
  /** How much of the latest output is kept (default 64 KB). */
  outputBytes?: number;
}

/** A child process the runner started: its output is kept (the last 64 KB, unless told) to explain a failure. */
export class ServerProcess {
  readonly spawnedAt = performance.now();
  private output = '';
  private exitStatus: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exit: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    outputBytes = 65_536,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-outputBytes);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exit = new Promise((resolve) => child.on('exit', (code, signal) => ((this.exitStatus = { code, signal }), resolve())));
  }

  static start(options: SpawnOptions): ServerProcess {
    const node = [...(options.nodeFlags ?? []), ...options.args];
    // taskset execs the command, so the child's pid is node's own.
    const [command, args] = options.cpus ? ['taskset', ['-c', options.cpus, process.execPath, ...node]] : [process.execPath, node];
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new ServerProcess(options.name, child, options.outputBytes);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exitStatus === null;
  }

  rssMb(): number | null {
    return this.running ? rssMb(this.pid) : null;
  }

  /** The process's recent output, for error messages. */
  recentOutput(lines = 30): string {
    return this.output.trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** Polls `url` until it answers 200; returns the milliseconds from spawn to that answer. */
  async waitForOk(url: string, timeoutMs = 30_000, pollMs = 5): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited (${JSON.stringify(this.exitStatus)}) before ${url} answered:\n${this.recentOutput()}`);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
        await response.arrayBuffer();
        if (response.status === 200) return performance.now() - this.spawnedAt;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    throw new Error(`${this.name}: ${url} did not answer 200 within ${timeoutMs} ms:\n${this.recentOutput()}`);
  }

  /** Resolves with the exit code once the process has ended (null when a signal ended it). */
  async exited(): Promise<number | null> {
    await this.exit;
    return this.exitStatus?.code ?? null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }
}
