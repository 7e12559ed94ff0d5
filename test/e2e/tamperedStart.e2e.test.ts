import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceEnv } from '../support/auth.js';
import { gql, gqlData } from '../support/graphqlClient.js';
import { tamperedCopy } from '../support/logFile.js';
import { CLASSIFY, CREATE_PATTERN, LIST_PATTERNS } from '../support/queries.js';
import { type ServiceProcess, scratchDir, startServiceProcess } from '../support/serviceProcess.js';

/*
 * A start on a log that fails its verification (no signing key: the hash chain alone), refused by default
 * or served read-only with an alarm (AUDIT_ON_TAMPER=read-only), with the real service process.
 */

const scratch = scratchDir();
const env = (path: string, extra: Record<string, string> = {}) => serviceEnv(path, { METRICS: 'open', ...extra });
const readOnly = { AUDIT_ON_TAMPER: 'read-only' };
const createPattern = (name: string) => ({
  input: { name, type: 'BOUNCE', pattern: `${name} marker`, message: 'm' },
});

let brokenAt = 0;
let tampered = '';

beforeAll(async () => {
  const service = await startServiceProcess(env(scratch.sqlitePath));
  for (const n of [1, 2, 3]) await gqlData(service.url, CREATE_PATTERN, createPattern(`rule ${n}`));
  await service.stop();
  // Someone with write access to the file renumbers the last events, keeping their hashes.
  tampered = tamperedCopy(scratch.sqlitePath, join(scratch.dir, 'renumbered.sqlite'), (db) => {
    brokenAt = (db.prepare('SELECT MAX(position) FROM events').pluck().get() as number) - 1 + 1000;
    db.prepare('UPDATE events SET position = position + 1000 WHERE position >= ?').run(brokenAt - 1000);
  });
});
afterAll(() => scratch.cleanup());

const eventsIn = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;
  } finally {
    db.close();
  }
};

async function health(service: ServiceProcess) {
  const response = await fetch(service.url.replace('/graphql', '/healthz'));
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}
const metrics = async (service: ServiceProcess) => (await fetch(service.url.replace('/graphql', '/metrics'))).text();

it('refuses to start by default, saying what failed and where', async () => {
  await expect(startServiceProcess(env(tampered))).rejects.toThrow(
    new RegExp(`cannot start: audit trail broken at position ${brokenAt} \\(bouncePattern-[^)]+\\): .*renumbered`),
  );
});

describe('AUDIT_ON_TAMPER=read-only', () => {
  it('on an intact log: nothing changes (healthz ok, gauge 0, mutations written)', async () => {
    const service = await startServiceProcess(env(scratch.sqlitePath, readOnly));
    try {
      expect(await health(service)).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(await health(service)).not.toHaveProperty('body.alarm');
      expect(await metrics(service)).toMatch(/^bounce_audit_trail_broken 0$/m);
      expect((await gql(service.url, CREATE_PATTERN, createPattern('intact'))).errors).toBeUndefined();
    } finally {
      await service.stop();
    }
  });

  it('on a tampered log: serves classify and reads, refuses every mutation before appending, and raises the alarm', async () => {
    const before = eventsIn(tampered);
    const service = await startServiceProcess(env(tampered, readOnly));
    try {
      expect(service.output()).toMatch(
        new RegExp(
          `ALARM: audit trail broken at position ${brokenAt} \\(bouncePattern-[^)]+\\): .*; serving read-only`,
        ),
      );

      const verdict = await gqlData(service.url, CLASSIFY, { reply: '550 rule 2 marker' });
      expect(verdict.classify).toMatchObject({ type: 'BOUNCE', matchedBy: 'PATTERN', pattern: { name: 'rule 2' } });
      const listed = await gqlData(service.url, LIST_PATTERNS, { filter: { origin: 'CUSTOM' }, first: 10 });
      expect(listed.bouncePatterns.totalCount).toBe(3);

      const refused = await gql(service.url, CREATE_PATTERN, createPattern('refused'));
      expect(refused.status).toBe(503);
      expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['AUDIT_TRAIL_BROKEN']);
      expect(refused.errors?.[0]?.message).toContain(`position ${brokenAt}`);

      const healthz = await health(service);
      expect(healthz.status).toBe(200);
      expect(healthz.body.status).toBe('read-only');
      expect(healthz.body.alarm).toContain(`audit trail broken at position ${brokenAt}`);
      expect(await metrics(service)).toMatch(/^bounce_audit_trail_broken 1$/m);
    } finally {
      await service.stop();
    }
    expect(eventsIn(tampered)).toBe(before);
  });
});
