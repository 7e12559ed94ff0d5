import { spawn } from 'node:child_process';

const CLI = new URL('../../dist/src/cli.js', import.meta.url).pathname;

/** Runs the built command line (`npm run cli -- …`), with `input` on its standard input, and collects what it printed. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  input?: string | Buffer,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  child.stdin?.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
