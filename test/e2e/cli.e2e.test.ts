import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { App } from '../../src/app/app.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/domain/types.js';
import { SqliteEventStore } from '../../src/eventstore/sqlite.js';
import { runCli } from '../support/cli.js';
import { postgresSchemas, postgresSkipReason, postgresUrl } from '../support/postgres.js';
import { scratchDir } from '../support/serviceProcess.js';

const scratch = scratchDir();
const env = { SQLITE_PATH: scratch.sqlitePath };
const carol: Actor = { id: 'tok_carol', name: 'Carol, ops', kind: 'token' };
let patternId = '';

beforeAll(async () => {
  let now = new Date('2024-05-01T08:00:00Z');
  const app = new App(new SqliteEventStore(scratch.sqlitePath), {
    clock: () => now,
    seed: false,
    bootstrapAdminToken: 'bp_cli_test_0123456789abcdef0123',
  });
  await app.start();
  const { row } = await app.bouncePatterns.create(
    {
      name: 'Quota, "full"',
      type: 'SOFT_BOUNCE',
      ispId: null,
      pattern: 'quota exceeded',
      message: 'Mailbox full,\ntry later',
      priority: 20,
      enabled: true,
    },
    { actor: carol, reason: 'OPS-9, from the postmaster' },
  );
  patternId = row.id;
  now = new Date('2024-05-02T08:00:00Z');
  await app.bouncePatterns.edit(patternId, 1, { priority: 5 }, { actor: SYSTEM_ACTOR });
  await app.stop();
});

afterAll(() => scratch.cleanup());

it('exports the audit trail as JSON lines, oldest first', async () => {
  const { code, stdout } = await runCli(['export', '--format', 'jsonl'], env);
  expect(code).toBe(0);
  const entries = stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(entries.map((e) => [e.position, e.eventType])).toEqual([
    ['1', 'ApiTokenCreated'],
    ['2', 'BouncePatternCreated'],
    ['3', 'BouncePatternEdited'],
  ]);
  expect(entries[1]).toMatchObject({
    occurredAt: '2024-05-01T08:00:00.000Z',
    actor: carol,
    aggregateType: 'bouncePattern',
    aggregateId: patternId,
    version: 1,
    reason: 'OPS-9, from the postmaster',
  });
  expect(entries[1].changes).toContainEqual({ field: 'message', before: null, after: 'Mailbox full,\ntry later' });
  expect(entries[2]).toMatchObject({
    changes: [{ field: 'priority', before: 20, after: 5 }],
    actor: SYSTEM_ACTOR,
    reason: null,
  });
  expect(entries[2].hash).toMatch(/^v2:[0-9a-f]{64}$/);
  expect(stdout).not.toMatch(/secretHash/);
});

it('exports the audit trail as CSV to a file, quoting what needs it', async () => {
  const out = join(scratch.dir, 'audit.csv');
  const { code } = await runCli(['export', '--format', 'csv', '--out', out], env);
  expect(code).toBe(0);
  const text = readFileSync(out, 'utf8');
  const [header, , created, edited] = text.split('\r\n');
  expect(header).toBe(
    'position,occurredAt,actorId,actorName,actorKind,eventType,aggregateType,aggregateId,version,changes,revertedToVersion,reason,correlationId,causationId,commandId,eventId,hash',
  );
  expect(created).toMatch(
    new RegExp(
      `^2,2024-05-01T08:00:00.000Z,tok_carol,"Carol, ops",token,BouncePatternCreated,bouncePattern,${patternId},1,"\\[`,
    ),
  );
  expect(created).toContain('""field"":""name"",""before"":null,""after"":""Quota, \\""full\\""""');
  expect(created).toContain(',"OPS-9, from the postmaster",');
  expect(edited).toMatch(/^3,2024-05-02T08:00:00.000Z,system,system,system,BouncePatternEdited,/);
  expect(edited).toContain('"[{""field"":""priority"",""before"":20,""after"":5}]"');
  expect(text.endsWith('\r\n')).toBe(true);
});

it('prints the rules as of a position or a time', async () => {
  const before = await runCli(['rules-as-of', '--position', '2'], env);
  expect(before.code).toBe(0);
  expect(JSON.parse(before.stdout)).toMatchObject({
    position: '2',
    patterns: [{ id: patternId, priority: 20, version: 1 }],
    isps: [],
  });
  const after = await runCli(['rules-as-of', '--at', '2024-05-03T00:00:00Z'], env);
  expect(JSON.parse(after.stdout)).toMatchObject({
    position: '3',
    patterns: [{ id: patternId, priority: 5, version: 2 }],
  });
  const wrong = await runCli(['rules-as-of'], env);
  expect(wrong.code).toBe(2);
});

it('migrates the log into another SQLite file and checks the copy', async () => {
  const target = join(scratch.dir, 'copy.sqlite');
  const { code, stderr } = await runCli(
    ['migrate', '--from', `sqlite:${scratch.sqlitePath}`, '--to', `sqlite:${target}`],
    env,
  );
  expect(stderr).toContain('exact copy');
  expect(code).toBe(0);
  expect((await runCli(['verify'], { SQLITE_PATH: target })).code).toBe(0);
});

const schemas = postgresSchemas();
(postgresSkipReason ? it.skip : it)(
  postgresSkipReason ?? 'migrates the log into PostgreSQL and back, checks both copies, and verifies the chain there',
  async () => {
    const schema = schemas.name();
    const pg = `${postgresUrl}?schema=${schema}`;
    const there = await runCli(['migrate', '--from', `sqlite:${scratch.sqlitePath}`, '--to', pg], env);
    expect(there.stderr).toContain('exact copy');
    expect(there.code).toBe(0);
    const pgEnv = { DATABASE_URL: postgresUrl, DATABASE_SCHEMA: schema };
    expect(JSON.parse((await runCli(['verify'], pgEnv)).stdout)).toMatchObject({ ok: true, chainKept: true });

    const back = join(scratch.dir, 'from-postgres.sqlite');
    const home = await runCli(['migrate', '--from', pg, '--to', `sqlite:${back}`], env);
    expect(home.stderr).toContain('exact copy');
    expect((await runCli(['verify'], { SQLITE_PATH: back })).code).toBe(0);
  },
);
