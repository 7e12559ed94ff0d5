import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startService, type RunningService } from '../../src/server.js';
import { asAdmin, serviceEnv } from '../support/auth.js';
import { runCli } from '../support/cli.js';
import { gqlData } from '../support/graphqlClient.js';
import { CREATE_PATTERN } from '../support/queries.js';
import { scratchDir } from '../support/serviceProcess.js';

const scratch = scratchDir();
let service: RunningService;
const VERIFY =
  '{ verifyAuditTrail { ok chainKept eventsChecked mismatches firstMismatch { position eventId streamId reason } headPosition headHash } }';
const verify = async () => (await gqlData(service.url, VERIFY, {}, asAdmin)).verifyAuditTrail;

beforeAll(async () => {
  service = await startService(loadConfig(serviceEnv(scratch.sqlitePath, { PORT: '0', NODE_ENV: 'test' })), {
    seed: false,
  });
  for (const n of [1, 2, 3, 4])
    await gqlData(
      service.url,
      CREATE_PATTERN,
      { input: { name: `rule ${n}`, type: 'BOUNCE', pattern: `marker ${n}`, message: 'm' } },
      asAdmin,
    );
});

afterAll(async () => {
  await service?.stop();
  scratch.cleanup();
});

it('an event altered in the SQLite file is named by verifyAuditTrail and fails `cli verify`', async () => {
  const intact = await verify();
  const head = String(service.app.runner.checkpoint);
  expect(intact).toMatchObject({
    ok: true,
    chainKept: true,
    eventsChecked: Number(head),
    mismatches: 0,
    firstMismatch: null,
    headPosition: head,
  });
  expect(intact.headHash).toMatch(/^v2:[0-9a-f]{64}$/);
  expect((await runCli(['verify'], { SQLITE_PATH: scratch.sqlitePath })).code).toBe(0);

  // Someone with write access to the file quietly weakens a rule, without touching its hash.
  const k = Number(head) - 1;
  const db = new Database(scratch.sqlitePath);
  const { event_id: eventId, stream_id: streamId } = db
    .prepare('SELECT event_id, stream_id FROM events WHERE position = ?')
    .get(k) as Record<string, string>;
  db.prepare(`UPDATE events SET data = json_set(data, '$.type', 'HARD_BOUNCE') WHERE position = ?`).run(k);
  db.close();

  const tampered = await verify();
  expect(tampered).toMatchObject({
    ok: false,
    chainKept: true,
    eventsChecked: Number(head),
    mismatches: 1,
    firstMismatch: { position: String(k), eventId, streamId },
  });
  expect(tampered.firstMismatch.reason).toMatch(/altered/);

  const cli = await runCli(['verify'], { SQLITE_PATH: scratch.sqlitePath });
  expect(cli.code).toBe(1);
  expect(cli.stderr).toContain(`position ${k}`);
  expect(JSON.parse(cli.stdout)).toMatchObject({ ok: false, firstMismatch: { position: String(k), eventId } });
});

it('an event removed from the file breaks the link of the event after it', async () => {
  const db = new Database(scratch.sqlitePath);
  const next = db.prepare('SELECT event_id FROM events WHERE position = 3').pluck().get() as string;
  db.prepare('DELETE FROM events WHERE position = 2').run();
  db.close();
  const result = await verify();
  expect(result.ok).toBe(false);
  expect(result.firstMismatch).toMatchObject({ position: '3', eventId: next });
});
