import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from './smtpSink.js';

const PLUGIN = new URL('../../integrations/haraka/bounce_patterns.js', import.meta.url).pathname;

/** Haraka's command, or null when the package is not installed. */
function harakaBin(): string | null {
  try {
    return join(createRequire(import.meta.url).resolve('Haraka/package.json'), '../bin/haraka');
  } catch {
    return null;
  }
}

export const harakaUnavailable = (): string | null =>
  harakaBin() && existsSync(harakaBin()!) ? null : 'the Haraka package is not installed (npm ci installs it)';

// Test only: accept any recipient from loopback as outbound mail, and deliver everything to the reply sink.
const TEST_RELAY = `exports.register = function () {
  this.port = Number(this.config.get('test_relay.port'));
};
exports.hook_mail = function (next, connection) {
  connection.relaying = true;
  next();
};
exports.hook_rcpt = function (next) {
  next(OK);
};
exports.hook_get_mx = function (next) {
  next(OK, { exchange: '127.0.0.1', port: this.port, priority: 0, bind_helo: 'haraka.test.local' });
};
`;

export interface HarakaInstance {
  readonly smtpPort: number;
  /** Everything Haraka logged. */
  output(): string;
  stop(): Promise<void>;
}

/** A Haraka instance on loopback with the bounce_patterns plugin, relaying every message to `relayPort`. */
export async function startHaraka(
  relayPort: number,
  service: { url: string; tokenFile: string },
): Promise<HarakaInstance> {
  const parent = mkdtempSync(join(tmpdir(), 'haraka-'));
  // Haraka's own installer lays out the instance with its default configuration; the files below override it.
  const dir = join(parent, 'instance');
  execFileSync(process.execPath, [harakaBin()!, '-i', dir], { stdio: 'pipe' });
  mkdirSync(join(dir, 'queue'), { recursive: true });
  const smtpPort = await closedPort();
  const config = (name: string, text: string) => writeFileSync(join(dir, 'config', name), text);
  config('smtp.ini', `listen=127.0.0.1:${smtpPort}\n`);
  config('me', 'haraka.test.local\n');
  config('plugins', 'test_relay\nbounce_patterns\n');
  config('log.ini', '[main]\nlevel=info\n');
  // A temporary failure is retried in a minute: the test sees the deferral, not the retry.
  config('outbound.ini', 'enable_tls=false\nlocal_mx_ok=true\ntemp_fail_intervals=1m\n');
  config('test_relay.port', `${relayPort}\n`);
  config('bounce_patterns.ini', `[main]\nurl=${service.url}\ntoken_file=${service.tokenFile}\ntimeout=10\n`);
  writeFileSync(join(dir, 'plugins/test_relay.js'), TEST_RELAY);
  copyFileSync(PLUGIN, join(dir, 'plugins/bounce_patterns.js'));

  const child: ChildProcess = spawn(process.execPath, [harakaBin()!, '-c', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let waited = 0; !/listening on/i.test(output); waited += 100) {
    if (child.exitCode !== null || waited > 30_000) {
      child.kill('SIGKILL');
      rmSync(parent, { recursive: true, force: true });
      throw new Error(`Haraka did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    smtpPort,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
