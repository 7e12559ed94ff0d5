import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from './smtpSink.js';

const POSTFIX = '/usr/sbin/postfix';

/** Why Debian's Postfix cannot run here, or null when it can. */
export function postfixUnavailable(): string | null {
  if (!existsSync(POSTFIX)) return 'Postfix is not installed (.ci/run installs it: apt-get install postfix)';
  if (process.getuid?.() !== 0) return 'Postfix needs root to start its own instance';
  return null;
}

export interface PostfixInstance {
  /** Where its smtpd listens on loopback, to hand it mail. */
  readonly smtpPort: number;
  /** The bounces' sender domain: DSNs to it go to the pipe transport. */
  readonly bounceDomain: string;
  /** What the pipe transport wrote (the command's standard output, appended). */
  output(): string;
  /** Postfix's own log. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * A Postfix instance of its own (`postfix -c DIR`), on loopback and free ports, that relays every message to
 * `relayPort` (mail for `unreachable.test` to a port nothing listens on), warns of delays after a second, and
 * delivers the DSNs it writes for `bounces.test` senders through a pipe transport running `command` (argv, run as nobody).
 */
export async function startPostfix(relayPort: number, command: readonly string[]): Promise<PostfixInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'postfix-'));
  chmodSync(dir, 0o755);
  for (const sub of ['etc', 'spool', 'data']) mkdirSync(join(dir, sub));
  chownSync(join(dir, 'data'), uid('postfix'), 0);
  const [smtpPort, deadPort] = [await closedPort(), await closedPort()];
  const out = join(dir, 'pipe.out');
  writeFileSync(out, '', { mode: 0o666 });
  chmodSync(out, 0o666);
  const quoted = command.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  writeFileSync(join(dir, 'pipe.sh'), `#!/bin/sh\n${quoted} >> ${out} 2>&1\n`, { mode: 0o755 });
  writeFileSync(
    join(dir, 'etc/main.cf'),
    `compatibility_level = 3.6
queue_directory = ${dir}/spool
data_directory = ${dir}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.test.local
mydomain = test.local
myorigin = $myhostname
mydestination =
alias_maps =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtp_dns_support_level = disabled
smtp_tls_security_level = none
relayhost = [127.0.0.1]:${relayPort}
transport_maps = inline:{ bounces.test=bouncepipe:, unreachable.test=smtp:[127.0.0.1]:${deadPort} }
# Temporary failures are retried every second or two, and a delay warning (a DSN with Action: delayed) goes
# out after a second instead of after hours.
delay_warning_time = 1s
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
maillog_file_prefixes = ${dir}
maillog_file = ${dir}/maillog
`,
  );
  writeFileSync(
    join(dir, 'etc/master.cf'),
    `127.0.0.1:${smtpPort} inet n - n - - smtpd
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
bouncepipe unix - n n - - pipe flags=q user=nobody argv=/bin/sh ${dir}/pipe.sh
`,
  );
  const postfix = (action: string) => execFileSync(POSTFIX, ['-c', join(dir, 'etc'), action], { stdio: 'pipe' });
  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  try {
    postfix('start');
  } catch (error) {
    // Postfix writes why to its log, not to a terminal it does not have.
    const log = read(join(dir, 'maillog'));
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`postfix start failed: ${(error as Error).message}\n${log}`);
  }
  return {
    smtpPort,
    bounceDomain: 'bounces.test',
    output: () => read(out),
    log: () => read(join(dir, 'maillog')),
    stop: async () => {
      const master = Number(read(join(dir, 'spool/pid/master.pid')).trim());
      try {
        postfix('stop');
        for (let waited = 0; master > 0 && alive(master) && waited < 10_000; waited += 100)
          await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}
