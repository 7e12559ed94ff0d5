import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;

export interface ServiceProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Sends the signal and waits for the process to end; resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A scratch folder for a test's SQLite file, removed by the returned cleanup. */
export function scratchDir(): { dir: string; sqlitePath: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bounce-patterns-'));
  return { dir, sqlitePath: join(dir, 'events.sqlite'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts the built service (`node dist/src/main.js`, as `npm start` does) on a free port. */
export function startServiceProcess(
  env: Record<string, string>,
  /** A command the service runs under, e.g. `ip netns exec <name>` (which execs, keeping the pid). */
  prefix: readonly string[] = [],
): Promise<ServiceProcess> {
  const [command, ...args] = [...prefix, process.execPath, MAIN];
  const child = spawn(command!, args, {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start in time:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving GraphQL on (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          child,
          output: () => output,
          stop: (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before serving:\n${output}`));
    });
  });
}
