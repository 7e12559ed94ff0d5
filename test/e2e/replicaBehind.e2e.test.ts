import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serviceEnv } from '../support/auth.js';
import { gql, gqlData } from '../support/graphqlClient.js';
import { CREATE_PATTERN, LIST_PATTERNS } from '../support/queries.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';

/*
 * Two service processes on one SQLite file; replica B reads the log for other processes' appends only every
 * FOLLOW_POLL_MS (15 s), far past REVOCATION_BOUND_MS (200 ms): between its reads it is behind, and a
 * mutation through it is refused with REPLICA_BEHIND until its next read.
 */

const POLL_MS = 15_000;
const BOUND_MS = 200;
const scratch = scratchDir();
let a: ServiceProcess;
let b: ServiceProcess;
beforeAll(async () => {
  a = await startServiceProcess(serviceEnv(scratch.sqlitePath));
  // B reads the whole log while starting, then not before POLL_MS: from BOUND_MS on it is behind.
  b = await startServiceProcess(
    serviceEnv(scratch.sqlitePath, { FOLLOW_POLL_MS: String(POLL_MS), REVOCATION_BOUND_MS: String(BOUND_MS) }),
  );
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  scratch.cleanup();
});

const named = async (url: string, name: string) =>
  (await gqlData(url, LIST_PATTERNS, { filter: { search: name }, first: 10 })).bouncePatterns.edges.filter(
    (edge: { node: { name: string } }) => edge.node.name === name,
  ).length;

const eventsInLog = () => {
  const db = new Database(scratch.sqlitePath, { readonly: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;
  } finally {
    db.close();
  }
};

it('a replica behind the log answers a mutation REPLICA_BEHIND (HTTP 503, nothing written), then takes it once caught up', async () => {
  const input = { name: 'through the slow replica', type: 'BOUNCE', pattern: 'slow replica marker', message: 'm' };
  await new Promise((resolve) => setTimeout(resolve, 2 * BOUND_MS));
  const before = eventsInLog();
  const sentAt = Date.now();
  const refused = await gql(b.url, CREATE_PATTERN, { input });
  expect(refused.status).toBe(503);
  expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['REPLICA_BEHIND']);
  expect(refused.errors?.[0]?.message).toMatch(/nothing was changed, retry/);
  expect(eventsInLog()).toBe(before);
  expect(await named(a.url, input.name)).toBe(0);

  // The client retries, as the message says; B's next read of the log lets the write through.
  let answer = refused;
  while (answer.errors?.[0]?.extensions?.code === 'REPLICA_BEHIND' && Date.now() - sentAt < 2 * POLL_MS) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = await gql(b.url, CREATE_PATTERN, { input });
  }
  expect(answer.errors).toBeUndefined();
  expect(answer.status).toBe(200);
  expect(answer.data.createBouncePattern.pattern.name).toBe(input.name);
  expect(eventsInLog()).toBeGreaterThan(before);
  // Written once: A, following the log every 100 ms, lists it once.
  const since = Date.now();
  while ((await named(a.url, input.name)) === 0 && Date.now() - since < 5_000)
    await new Promise((resolve) => setTimeout(resolve, 50));
  expect(await named(a.url, input.name)).toBe(1);
}, 60_000);
