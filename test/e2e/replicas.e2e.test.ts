import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceEnv } from '../support/auth.js';
import { gqlData } from '../support/graphqlClient.js';
import { CLASSIFY, CREATE_PATTERN, DELETE_PATTERN, EDIT_PATTERN } from '../support/queries.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';

/** How long replica B may take to see a write made through replica A. */
const BOUND_MS = 2_000;

const scratch = scratchDir();
let a: ServiceProcess;
let b: ServiceProcess;

beforeAll(async () => {
  [a, b] = await Promise.all([
    startServiceProcess(serviceEnv(scratch.sqlitePath)),
    startServiceProcess(serviceEnv(scratch.sqlitePath)),
  ]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  scratch.cleanup();
});

/** Polls classify on a replica until `accept` holds; returns the milliseconds it took. */
async function until(
  service: ServiceProcess,
  reply: string,
  accept: (verdict: any) => boolean,
  since: number,
): Promise<number> {
  for (;;) {
    const verdict = (await gqlData(service.url, CLASSIFY, { reply })).classify;
    const elapsed = performance.now() - since;
    if (accept(verdict)) return elapsed;
    if (elapsed > BOUND_MS)
      throw new Error(`replica did not converge within ${BOUND_MS} ms: ${JSON.stringify(verdict)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('two replicas on one SQLite file', () => {
  it('an edit acknowledged by replica A reaches classify on replica B within a bounded delay', async () => {
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const reply = `550 replica probe ${i} rejected`;
      let since = performance.now();
      const created = await gqlData(a.url, CREATE_PATTERN, {
        input: {
          name: `replica probe ${i}`,
          type: 'HARD_BOUNCE',
          pattern: `replica probe ${i}\\b`,
          message: 'probe',
          priority: 1,
        },
      });
      const pattern = created.createBouncePattern.pattern;
      delays.push(await until(b, reply, (v) => v.pattern?.patternId === pattern.id && v.type === 'HARD_BOUNCE', since));

      since = performance.now();
      await gqlData(a.url, EDIT_PATTERN, { id: pattern.id, expectedVersion: 1, input: { type: 'SOFT_BOUNCE' } });
      delays.push(await until(b, reply, (v) => v.pattern?.patternId === pattern.id && v.type === 'SOFT_BOUNCE', since));

      since = performance.now();
      await gqlData(a.url, DELETE_PATTERN, { id: pattern.id, expectedVersion: 2 });
      delays.push(await until(b, reply, (v) => v.pattern?.patternId !== pattern.id, since));
    }
    delays.sort((x, y) => x - y);
    const median = delays[Math.floor(delays.length / 2)]!;
    const max = delays[delays.length - 1]!;
    console.log(
      `replica delay over ${delays.length} writes (poll interval 100 ms): median ${median.toFixed(0)} ms, max ${max.toFixed(0)} ms`,
    );
    expect(max).toBeLessThan(BOUND_MS);
  });

  it('the replicas agree on the ruleset version once converged', async () => {
    const probe = '550 version probe';
    const since = performance.now();
    await gqlData(b.url, CREATE_PATTERN, {
      input: { name: 'version probe', type: 'BOUNCE', pattern: 'version probe', message: 'm' },
    });
    await until(a, probe, (v) => v.pattern?.name === 'version probe', since);
    const [va, vb] = await Promise.all(
      [a, b].map(async (s) => (await gqlData(s.url, CLASSIFY, { reply: probe })).classify.rulesetVersion),
    );
    expect(va).toBe(vb);
  });
});
