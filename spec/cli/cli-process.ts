// Runs `kiss-stack` as a child process, from source: lib/cli/bin.ts bundled by esbuild into a
// folder of its own under node_modules/.cache. Not the built dist: spec/build/package.spec.ts
// deletes and rebuilds dist while other spec files run. From node_modules/.cache the bundle finds
// the packages it leaves external (rxjs, io-ts, ws…) and, walking up, the package.json whose
// version `--version` prints.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(__dirname, '../..');

/** The bundled CLI: its path, and a way to remove it. */
export interface BuiltCli {
  readonly bin: string;
  dispose(): void;
}

export async function buildCli(): Promise<BuiltCli> {
  const cache = join(root, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const folder = mkdtempSync(join(cache, 'kiss-stack-cli-'));
  const bin = join(folder, 'kiss-stack.cjs');
  await build({
    entryPoints: [join(root, 'lib/cli/bin.ts')],
    outfile: bin,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return { bin, dispose: () => rmSync(folder, { recursive: true, force: true }) };
}

/** The environment without the user's KISS_STACK_* settings, plus `extra`. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KISS_STACK_')));
  return { ...env, ...extra };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running CLI: its output so far, awaitable. */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  private readonly waiting = new Set<() => void>();

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      this.stdout += text;
      this.notify();
    });
    child.stderr.on('data', (text: string) => {
      this.stderr += text;
      this.notify();
    });
    this.exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  }

  /** Resolves once `stream`'s output so far passes `check` (or rejects when the process ends first). */
  waitFor(stream: 'stdout' | 'stderr', check: (text: string) => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const test = () => {
        if (check(this[stream])) {
          this.waiting.delete(test);
          resolve();
        }
      };
      this.waiting.add(test);
      test();
      void this.exited.then(() => {
        if (!this.waiting.has(test)) return;
        this.waiting.delete(test);
        reject(new Error(`the CLI exited before its ${stream} matched; stdout: ${this.stdout}\nstderr: ${this.stderr}`));
      });
    });
  }

  /** Sends text to stdin. */
  write(text: string): void {
    this.child.stdin.write(text);
  }

  /** Ends stdin (Ctrl-D). */
  endInput(): void {
    this.child.stdin.end();
  }

  /** Ctrl-C. */
  interrupt(): void {
    this.child.kill('SIGINT');
  }

  private notify(): void {
    for (const test of [...this.waiting]) test();
  }
}

export function startCli(cli: BuiltCli, args: readonly string[], env: Record<string, string> = {}): CliProcess {
  return new CliProcess(spawn(process.execPath, [cli.bin, ...args], { env: cleanEnv(env), stdio: 'pipe' }));
}

/** Runs the CLI to its end with stdin closed; its exit code and output. */
export async function runCli(cli: BuiltCli, args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const running = startCli(cli, args, env);
  running.endInput();
  const { code } = await running.exited;
  return { code, stdout: running.stdout, stderr: running.stderr };
}
