import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const BIN = '/usr/lib/postgresql/15/bin';

/** A PostgreSQL cluster of the test's own, which it may stop and restart without disturbing anyone else. */
export interface ThrowawayCluster {
  readonly port: number;
  /** postgres://postgres@<host>:<port>/postgres */
  url(host?: string): string;
  /** pg_ctl stop -m fast: the server ends every connection, as in a restart. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): void;
}

/** Why a throwaway cluster cannot be made here (not root, no PostgreSQL 15 binaries), or null. */
export function throwawayClusterUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root (initdb runs as the postgres user through runuser)';
  try {
    execFileSync(`${BIN}/initdb`, ['--version'], { stdio: 'ignore' });
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
    return null;
  } catch {
    return `no ${BIN}/initdb or no postgres user`;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const asPostgres = (args: string[]) =>
  execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * initdb in a temporary directory, listening on every address (the test's network namespaces reach it
 * through veth pairs) with trust authentication, on a free port.
 */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'bounce-patterns-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  chownSync(
    dir,
    Number(execFileSync('id', ['-u', 'postgres']).toString()),
    Number(execFileSync('id', ['-g', 'postgres']).toString()),
  );
  asPostgres([`${BIN}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    `listen_addresses = '*'\nport = ${port}\nunix_socket_directories = '${dir}'\nfsync = on\nmax_connections = 100\n`,
  );
  writeFileSync(join(data, 'pg_hba.conf'), 'local all all trust\nhost all all 0.0.0.0/0 trust\n');
  const pgCtl = (...args: string[]) => asPostgres([`${BIN}/pg_ctl`, '-D', data, '-l', log, '-w', '-t', '60', ...args]);
  pgCtl('start');
  // Asynchronous, so that the test's load keeps running while the server stops and starts.
  const pgCtlAsync = async (...args: string[]) => {
    await promisify(execFile)('runuser', [
      '-u',
      'postgres',
      '--',
      `${BIN}/pg_ctl`,
      '-D',
      data,
      '-l',
      log,
      '-w',
      '-t',
      '60',
      ...args,
    ]);
  };
  return {
    port,
    url: (host = '127.0.0.1') => `postgres://postgres@${host}:${port}/postgres`,
    stop: () => pgCtlAsync('stop', '-m', 'fast'),
    start: () => pgCtlAsync('start'),
    destroy() {
      try {
        pgCtl('stop', '-m', 'immediate');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
