import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceEnv } from '../support/auth.js';
import { gql, gqlData } from '../support/graphqlClient.js';
import { CLASSIFY, CREATE_PATTERN } from '../support/queries.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';

const asRoot = process.getuid?.() === 0;
if (!asRoot)
  console.warn(
    'store faults: disk full and read-only skipped: mounting a file system and running as another user need root',
  );

const pattern = (name: string) => ({ input: { name, type: 'BOUNCE', pattern: `${name} probe`, message: 'm' } });

async function health(service: ServiceProcess) {
  const response = await fetch(service.url.replace('/graphql', '/healthz'));
  return { status: response.status, body: (await response.json()) as { status: string; store: string } };
}

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const since = Date.now();
  while (!(await check())) {
    if (Date.now() - since > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Fills the file system holding `dir` to the last byte. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1 << 20);
  for (let size = chunk.length; size > 0; ) {
    try {
      writeSync(fd, chunk.subarray(0, size));
    } catch {
      size >>= 1;
    }
  }
  closeSync(fd);
}

describe.skipIf(!asRoot)('a full disk (a 64 MB file system filled to the last byte)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bp-full-'));
  let service: ServiceProcess;
  beforeAll(async () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', dir]);
    service = await startServiceProcess(serviceEnv(join(dir, 'events.sqlite')));
  });
  afterAll(async () => {
    await service?.stop();
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers writes STORE_UNAVAILABLE with HTTP 503 while /healthz says so, keeps classifying, and takes writes once space is back', async () => {
    await gqlData(service.url, CREATE_PATTERN, pattern('before full'));
    fill(join(dir, 'filler'));
    // Writes go on while pages the file already holds have room; every answer is a success or the clear refusal.
    let refused = await gql(service.url, CREATE_PATTERN, { ...pattern('while full'), clientMutationId: 'full-1' });
    for (let i = 0; i < 500 && refused.data?.createBouncePattern; i++)
      refused = await gql(service.url, CREATE_PATTERN, {
        ...pattern(`while full ${i}`),
        clientMutationId: `full-loop-${i}`,
      });
    expect(refused.status).toBe(503);
    expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['STORE_UNAVAILABLE']);
    expect(await health(service)).toEqual({
      status: 503,
      body: expect.objectContaining({ status: 'event store unavailable', store: 'down' }),
    });
    const verdict = await gqlData(service.url, CLASSIFY, { reply: '550 before full probe' });
    expect(verdict.classify.pattern.name).toBe('before full');

    rmSync(join(dir, 'filler'));
    await until(async () => (await health(service)).status === 200);
    const retried = await gqlData(service.url, CREATE_PATTERN, {
      ...pattern('while full'),
      clientMutationId: 'full-1',
    });
    expect(retried.createBouncePattern.pattern.name).toBe('while full');
  });
});

describe.skipIf(!asRoot)('a read-only file (the service runs as a user that may only read it)', () => {
  const scratch = scratchDir();
  let service: ServiceProcess;
  beforeAll(async () => {
    const writer = await startServiceProcess(serviceEnv(scratch.sqlitePath));
    await gqlData(writer.url, CREATE_PATTERN, pattern('written before'));
    await writer.stop();
    // As if written before the audit indexes existed: a reader that may not add them goes without.
    const db = new Database(scratch.sqlitePath);
    for (const name of db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'events_by_%'").pluck().all())
      db.exec(`DROP INDEX ${name}`);
    db.close();
    // The folder stays writable (SQLite keeps its -shm index there); the log file itself is root's, 0644.
    chownSync(scratch.dir, 65534, 65534);
    for (const name of ['', '-wal', '-shm']) {
      try {
        chownSync(`${scratch.sqlitePath}${name}`, 0, 0);
        chmodSync(`${scratch.sqlitePath}${name}`, 0o644);
      } catch {
        // The -wal and -shm files are gone after a clean stop.
      }
    }
    service = await startServiceProcess(serviceEnv(scratch.sqlitePath), [
      'setpriv',
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
    ]);
  });
  afterAll(async () => {
    await service?.stop();
    scratch.cleanup();
  });

  it('serves what the log holds, answers writes STORE_UNAVAILABLE (503) and /healthz says the store is down', async () => {
    const verdict = await gqlData(service.url, CLASSIFY, { reply: '550 written before probe' });
    expect(verdict.classify.pattern.name).toBe('written before');
    const refused = await gql(service.url, CREATE_PATTERN, pattern('refused'));
    expect(refused.status).toBe(503);
    expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['STORE_UNAVAILABLE']);
    expect((await health(service)).body.store).toBe('down');
  });

  it('answers audit questions without the indexes it could not add', async () => {
    const { auditLog } = await gqlData(
      service.url,
      'query { auditLog(filter: { eventTypes: ["BouncePatternCreated"] }, first: 500) { totalCount edges { node { eventType } } } }',
    );
    expect(auditLog.edges.length).toBe(auditLog.totalCount);
    expect(auditLog.totalCount).toBeGreaterThan(0);
    const db = new Database(scratch.sqlitePath, { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'events_by_%'").all()).toEqual([]);
    db.close();
  });
});

it('a service whose projections stopped refuses every write before appending it (PROJECTIONS_STOPPED, 503)', async () => {
  const scratch = scratchDir();
  const service = await startServiceProcess(serviceEnv(scratch.sqlitePath));
  const db = new Database(scratch.sqlitePath);
  try {
    // An event no projection can read (its data is not JSON) stops the runner at that position.
    db.prepare(
      "INSERT INTO events (event_id, stream_id, version, type, data, metadata, hash) VALUES ('bad', 'bouncePattern-bad', 1, 'BouncePatternCreated', '{not json', '{}', 'x')",
    ).run();
    await until(async () => (await health(service)).body.status === 'projections stopped');
    const count = () => (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    const before = count();
    const refused = await gql(service.url, CREATE_PATTERN, pattern('after stop'));
    expect(refused.status).toBe(503);
    expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['PROJECTIONS_STOPPED']);
    expect(count()).toBe(before);
  } finally {
    db.close();
    await service.stop();
    scratch.cleanup();
  }
});
