import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceEnv } from '../support/auth.js';
import { gql, gqlData } from '../support/graphqlClient.js';
import { CREATE_PATTERN } from '../support/queries.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';

const TRIALS = 50;
const CREATE_ISP = 'mutation($input: CreateIspInput!) { createIsp(input: $input) { isp { id } } }';
const DELETE_ISP = 'mutation($id: ID!) { deleteIsp(id: $id, expectedVersion: 1) { isp { id } } }';
const ISP = 'query($id: ID!) { isp(id: $id) { id } }';

const scratch = scratchDir();
let a: ServiceProcess;
let b: ServiceProcess;

beforeAll(async () => {
  // Two service processes on one SQLite file: two replicas of one log, each with its own read model.
  a = await startServiceProcess(serviceEnv(scratch.sqlitePath));
  b = await startServiceProcess(serviceEnv(scratch.sqlitePath));
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  scratch.cleanup();
});

/** The ISPs and patterns as the log holds them, folded from the file itself (not from either replica). */
function stateInLog() {
  const db = new Database(scratch.sqlitePath, { readonly: true });
  const isps = new Map<string, { domains: string[]; deleted: boolean }>();
  const patterns = new Map<string, { ispId: string | null; deleted: boolean }>();
  const rows = db.prepare('SELECT stream_id, type, data FROM events ORDER BY position').all() as {
    stream_id: string;
    type: string;
    data: string;
  }[];
  db.close();
  for (const { type, data } of rows) {
    const event = JSON.parse(data);
    if (type === 'IspCreated') isps.set(event.ispId, { domains: event.domains, deleted: false });
    if (type === 'IspEdited' && event.changes.domains) isps.get(event.ispId)!.domains = event.changes.domains;
    if (type === 'IspDeleted') isps.get(event.ispId)!.deleted = true;
    if (type === 'BouncePatternCreated') patterns.set(event.patternId, { ispId: event.ispId, deleted: false });
    if (type === 'BouncePatternDeleted') patterns.get(event.patternId)!.deleted = true;
  }
  return { isps, patterns };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  const since = performance.now();
  while (!(await check())) {
    if (performance.now() - since > 10_000) throw new Error('replica did not catch up within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('rules that span aggregates hold between two replicas racing', () => {
  it(`a domain ends in one ISP only: ${TRIALS} races of two replicas creating ISPs with the same domain`, async () => {
    let acknowledged = 0;
    for (let i = 0; i < TRIALS; i++) {
      const domain = `race${i}.example`;
      const answers = await Promise.all(
        [a, b].map((replica, n) =>
          gql(replica.url, CREATE_ISP, { input: { name: `race ${i} ${n}`, domains: [domain] } }),
        ),
      );
      const won = answers.filter((answer) => answer.data?.createIsp);
      acknowledged += won.length;
      expect(won.length).toBe(1);
      const lost = answers.find((answer) => !answer.data?.createIsp)!;
      expect(lost.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const owners = new Map<string, number>();
    for (const isp of stateInLog().isps.values())
      if (!isp.deleted) for (const domain of isp.domains) owners.set(domain, (owners.get(domain) ?? 0) + 1);
    const violations = [...owners.values()].filter((count) => count > 1).length;
    console.log(`domain races: ${acknowledged} of ${TRIALS * 2} creates acknowledged, ${violations} violations`);
    expect(violations).toBe(0);
  });

  it(`an ISP in use is never deleted: ${TRIALS} races of a delete on one replica and a pattern for it on the other`, async () => {
    const outcomes = { deleted: 0, patternCreated: 0 };
    for (let i = 0; i < TRIALS; i++) {
      const { id } = (
        await gqlData(a.url, CREATE_ISP, { input: { name: `in use ${i}`, domains: [`inuse${i}.example`] } })
      ).createIsp.isp;
      await until(async () => (await gqlData(b.url, ISP, { id })).isp !== null);
      // Half the trials start the delete first, half the create.
      const del = () => gql(a.url, DELETE_ISP, { id });
      const create = () =>
        gql(b.url, CREATE_PATTERN, {
          input: { name: `user ${i}`, type: 'BOUNCE', pattern: `in use ${i}`, message: 'm', ispId: id },
        });
      const [deleted, created] =
        i % 2 === 0 ? await Promise.all([del(), create()]) : (await Promise.all([create(), del()])).reverse();
      if (deleted!.data?.deleteIsp) outcomes.deleted += 1;
      if (created!.data?.createBouncePattern) outcomes.patternCreated += 1;
      expect(Boolean(deleted!.data?.deleteIsp) !== Boolean(created!.data?.createBouncePattern)).toBe(true);
    }
    const { isps, patterns } = stateInLog();
    const violations = [...patterns.values()].filter(
      (pattern) => !pattern.deleted && pattern.ispId !== null && isps.get(pattern.ispId)?.deleted,
    ).length;
    console.log(
      `ISP-in-use races: ${outcomes.deleted} deletes and ${outcomes.patternCreated} pattern creates won, ${violations} violations`,
    );
    expect(violations).toBe(0);
  });
});
