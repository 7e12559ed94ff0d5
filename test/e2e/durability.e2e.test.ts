import { describe, expect, it } from 'vitest';
import { Agent, request } from 'node:http';
import { asAdmin, serviceEnv } from '../support/auth.js';
import { SqliteEventStore } from '../../src/eventstore/sqlite.js';
import { gqlData } from '../support/graphqlClient.js';
import { CREATE_PATTERN, EDIT_PATTERN, LIST_PATTERNS } from '../support/queries.js';
import { scratchDir, startServiceProcess } from '../support/serviceProcess.js';

const scratch = scratchDir();

/** The live patterns as the log says they are: created and not deleted, at their last version. */
async function patternsInLog(path: string): Promise<Map<string, number>> {
  const store = new SqliteEventStore(path);
  const live = new Map<string, number>();
  for await (const event of store.readAll()) {
    if (!event.streamId.startsWith('bouncePattern-')) continue;
    const id = event.streamId.slice('bouncePattern-'.length);
    if (event.type === 'BouncePatternDeleted') live.delete(id);
    else live.set(id, event.version);
  }
  await store.close();
  return live;
}

async function patternsInList(url: string): Promise<Map<string, number>> {
  const listed = new Map<string, number>();
  let after: string | null = null;
  do {
    const page: any = (await gqlData(url, LIST_PATTERNS, { first: 500, after })).bouncePatterns;
    for (const edge of page.edges) listed.set(edge.node.id, edge.node.version);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return listed;
}

describe('durability on the SQLite file', () => {
  it('keeps every acknowledged write across SIGKILL and SIGTERM, and the projection matches the log', async () => {
    const first = await startServiceProcess(serviceEnv(scratch.sqlitePath));
    const acknowledged: string[] = [];
    for (let i = 0; i < 40; i++) {
      const data = await gqlData(first.url, CREATE_PATTERN, {
        input: { name: `durable ${i}`, type: 'BOUNCE', pattern: `durable marker ${i}\\b`, message: 'm' },
      });
      acknowledged.push(data.createBouncePattern.pattern.id);
    }
    await gqlData(first.url, EDIT_PATTERN, { id: acknowledged[0], expectedVersion: 1, input: { enabled: false } });
    // Killed without warning: no shutdown hook runs.
    await first.stop('SIGKILL');

    const second = await startServiceProcess(serviceEnv(scratch.sqlitePath));
    const listed = await patternsInList(second.url);
    for (const id of acknowledged) expect(listed.has(id), id).toBe(true);
    expect(listed.get(acknowledged[0]!)).toBe(2);
    expect(listed).toEqual(await patternsInLog(scratch.sqlitePath));
    const defaultsBefore = (await gqlData(second.url, LIST_PATTERNS, { filter: { origin: 'DEFAULT' }, first: 0 }))
      .bouncePatterns.totalCount;
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(second.output()).toMatch(/SIGTERM received/);

    // A third start neither loses nor doubles anything, defaults included.
    const third = await startServiceProcess(serviceEnv(scratch.sqlitePath));
    expect(await patternsInList(third.url)).toEqual(listed);
    const defaultsAfter = (await gqlData(third.url, LIST_PATTERNS, { filter: { origin: 'DEFAULT' }, first: 0 }))
      .bouncePatterns.totalCount;
    expect(defaultsAfter).toBe(defaultsBefore);
    expect(defaultsAfter).toBeGreaterThan(0);
    await third.stop();
    scratch.cleanup();
  });

  it('installs the defaults once when two services start together on one file', async () => {
    const shared = scratchDir();
    const [a, b] = await Promise.all([
      startServiceProcess(serviceEnv(shared.sqlitePath)),
      startServiceProcess(serviceEnv(shared.sqlitePath)),
    ]);
    await Promise.all([a.stop(), b.stop()]);
    const store = new SqliteEventStore(shared.sqlitePath);
    const creations = new Map<string, number>();
    for await (const event of store.readAll()) {
      if (event.type.endsWith('Created')) creations.set(event.streamId, (creations.get(event.streamId) ?? 0) + 1);
    }
    await store.close();
    expect(creations.size).toBeGreaterThan(10);
    expect([...creations.values()].every((n) => n === 1)).toBe(true);
    shared.cleanup();
  });
});

describe('graceful shutdown', () => {
  it('stops promptly on SIGTERM while clients keep busy keep-alive connections, and answers what it took', async () => {
    const scratchStop = scratchDir();
    // As in production: Apollo would otherwise install signal handlers of its own (it skips them under NODE_ENV=test).
    const service = await startServiceProcess(serviceEnv(scratchStop.sqlitePath, { NODE_ENV: 'production' }));
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const post = () =>
      new Promise<number>((resolve) => {
        const req = request(
          service.url,
          { method: 'POST', agent, headers: { 'content-type': 'application/json', ...asAdmin } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(-1));
        req.end(JSON.stringify({ query: '{ __typename }' }));
      });
    let running = true;
    const answered: number[] = [];
    const clients = Array.from({ length: 4 }, async () => {
      while (running) answered.push(await post());
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    const code = await service.stop('SIGTERM');
    const took = performance.now() - started;
    running = false;
    await Promise.all(clients);
    agent.destroy();
    expect(code).toBe(0);
    expect(took).toBeLessThan(3_000);
    // Requests either got their answer or were refused a connection: none got a 5xx.
    expect(answered.filter((status) => status >= 500)).toEqual([]);
    expect(answered.filter((status) => status === 200).length).toBeGreaterThan(10);
    scratchStop.cleanup();
  });
});
