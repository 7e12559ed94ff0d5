import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { chainHash, verifyChain } from '../../src/eventstore/chain.js';
import {
  StoreUnavailable,
  WrongExpectedVersion,
  type EventToAppend,
  type StoredEvent,
  type StoreSubscription,
} from '../../src/eventstore/port.js';
import { appendLockKey, PostgresEventStore } from '../../src/eventstore/postgres.js';
import { metadataFor } from '../support/eventMetadata.js';
import { eventually } from '../support/eventually.js';
import { postgresSchemas, postgresSkipReason, postgresUrl, withPostgresClient } from '../support/postgres.js';

const run = promisify(execFile);
const STORE_MODULE = new URL('../../dist/src/eventstore/postgres.js', import.meta.url).href;

const event = (type = 'BouncePatternEdited', data: unknown = { patternId: 'p' }): EventToAppend => ({
  eventId: randomUUID(),
  type,
  data,
  metadata: metadataFor(randomUUID(), { actor: { id: 'u', name: 'U', kind: 'user' } }),
});

const positions = (events: readonly StoredEvent[]) => events.map((e) => e.position);
const dense = (count: number) => Array.from({ length: count }, (_, i) => BigInt(i + 1));

(postgresSkipReason ? describe.skip : describe)(postgresSkipReason ?? 'PostgresEventStore on a real server', () => {
  const schemas = postgresSchemas();
  const opened: PostgresEventStore[] = [];
  const subscriptions: StoreSubscription[] = [];
  const open = async (options: Parameters<typeof schemas.open>[0] = {}, url?: string) => {
    const store = await schemas.open(options, url);
    opened.push(store);
    return store;
  };
  const follow = (store: PostgresEventStore) => {
    const received: StoredEvent[] = [];
    const errors: unknown[] = [];
    subscriptions.push(
      store.subscribeAll(null, {
        onEvents: (events) => void received.push(...events),
        onError: (error) => errors.push(error),
      }),
    );
    return { received, errors };
  };
  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('a reader never skips a lower position that commits after a higher one', async () => {
    const schema = schemas.name();
    const store = await open({ schema, staleGapMs: 60_000 });
    const { received, errors } = follow(store);
    await store.append('bouncePattern-a', [event()], 0);
    await eventually(() => expect(received).toHaveLength(1));

    // Two writers that bypass the store's lock, as a sequence-based store would: position 2 is taken
    // first but commits after position 3.
    const insert = (client: import('pg').Client, position: number, streamId: string) => {
      const e = event();
      return client.query(
        `INSERT INTO "${schema}".events (position, stream_id, version, event_id, type, data, metadata, hash)
         VALUES ($1, $2, 1, $3, $4, $5, $6, $7)`,
        [position, streamId, e.eventId, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), 'x'],
      );
    };
    await withPostgresClient(async (slow) =>
      withPostgresClient(async (fast) => {
        await slow.query('BEGIN');
        await insert(slow, 2, 'bouncePattern-slow');
        await fast.query('BEGIN');
        await insert(fast, 3, 'bouncePattern-fast');
        await fast.query('COMMIT');
        await new Promise((resolve) => setTimeout(resolve, 500));
        // Position 3 is committed and visible, but the reader waits for 2.
        expect(positions(received)).toEqual([1n]);
        await slow.query('COMMIT');
      }),
    );
    await eventually(() => expect(positions(received)).toEqual([1n, 2n, 3n]));
    expect(received.map((e) => e.streamId)).toEqual(['bouncePattern-a', 'bouncePattern-slow', 'bouncePattern-fast']);
    expect(errors).toEqual([]);
  });

  it('reads past a hole that stays open (a deleted row) after the stale-gap wait, instead of stalling', async () => {
    const schema = schemas.name();
    const store = await open({ schema, staleGapMs: 400 });
    for (let i = 0; i < 3; i++) await store.append('isp-a', [event()], i);
    await withPostgresClient((c) => c.query(`DELETE FROM "${schema}".events WHERE position = 2`));
    const started = Date.now();
    const { received, errors } = follow(store);
    await eventually(() => expect(positions(received)).toEqual([1n, 3n]));
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(errors).toEqual([]);
  });

  it('an append waiting behind an uncommitted one takes the next position: positions commit in order', async () => {
    const schema = schemas.name();
    const [first, second] = [await open({ schema }), await open({ schema })];
    const { received } = follow(first);
    await first.append('bouncePattern-a', [event()], 0);
    await eventually(() => expect(received).toHaveLength(1));
    // Hold the store's own append lock in an open transaction, as a slow append would.
    await withPostgresClient(async (holder) => {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(${appendLockKey(schema)})`);
      const waiting = second.append('bouncePattern-b', [event()], 0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(positions(received)).toEqual([1n]);
      await holder.query('COMMIT');
      expect((await waiting).position).toBe(2n);
    });
    await eventually(() => expect(positions(received)).toEqual([1n, 2n]));
  });

  it('an append that waits longer than the lock timeout fails as unavailable and writes nothing', async () => {
    const schema = schemas.name();
    const store = await open({ schema, lockTimeoutMs: 300 });
    await withPostgresClient(async (holder) => {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(${appendLockKey(schema)})`);
      const error = await store.append('isp-a', [event()], 0).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailable);
      expect((error as Error).message).toContain('300 ms');
      await holder.query('ROLLBACK');
    });
    expect(await store.headPosition()).toBeNull();
    expect((await store.append('isp-a', [event()], 0)).position).toBe(1n);
  });

  it('two processes appending to one stream: every version once, the losers told the actual version', async () => {
    const schema = schemas.name();
    await open({ schema });
    const stream = `bouncePattern-${randomUUID()}`;
    // Each process appends 40 events, re-reading the stream's version after every conflict.
    const script = `
      import { PostgresEventStore, } from ${JSON.stringify(STORE_MODULE)};
      import { randomUUID } from 'node:crypto';
      const store = await PostgresEventStore.open(process.env.URL, { schema: process.env.SCHEMA });
      let conflicts = 0, written = 0;
      while (written < 40) {
        const version = (await store.readStream(process.env.STREAM)).length;
        try {
          await store.append(process.env.STREAM, [{ eventId: randomUUID(), type: 'BouncePatternEdited',
            data: { by: process.env.NAME }, metadata: { commandId: randomUUID() } }], version);
          written++;
        } catch (error) {
          if (error.name !== 'WrongExpectedVersion' || error.actual <= version) throw error;
          conflicts++;
        }
      }
      await store.close();
      console.log(JSON.stringify({ written, conflicts }));`;
    const results = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
          env: { ...process.env, URL: postgresUrl, SCHEMA: schema, STREAM: stream, NAME: name },
        });
        return JSON.parse(stdout) as { written: number; conflicts: number };
      }),
    );
    const reader = await open({ schema });
    const stored = await reader.readStream(stream);
    expect(stored.map((e) => e.version)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(stored.filter((e) => (e.data as { by: string }).by === 'a')).toHaveLength(40);
    expect(results.map((r) => r.written)).toEqual([40, 40]);
    console.log(`two processes, one stream: ${results[0]!.conflicts + results[1]!.conflicts} conflicts retried`);
    expect(await verifyChain(reader.readAll())).toMatchObject({ ok: true, eventsChecked: 80 });
  });

  it('many writers on different streams while a reader follows: all delivered once, in dense order', async () => {
    const schema = schemas.name();
    const writers = await Promise.all(Array.from({ length: 6 }, () => open({ schema })));
    const reader = await open({ schema });
    const { received, errors } = follow(reader);
    await Promise.all(
      writers.map(async (writer, w) => {
        for (let i = 0; i < 30; i++) await writer.append(`isp-${w}`, [event(), event()], i * 2);
      }),
    );
    await eventually(() => expect(received).toHaveLength(360));
    expect(positions(received)).toEqual(dense(360));
    expect(new Set(received.map((e) => e.eventId)).size).toBe(360);
    for (let w = 0; w < 6; w++) {
      const versions = received.filter((e) => e.streamId === `isp-${w}`).map((e) => e.version);
      expect(versions).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    }
    expect(errors).toEqual([]);
    expect(await verifyChain(reader.readAll())).toMatchObject({ ok: true, eventsChecked: 360 });
  });

  it('lets exactly one of two appends with the same expected version win across connections', async () => {
    const schema = schemas.name();
    const [a, b] = [await open({ schema }), await open({ schema })];
    await a.append('bouncePattern-x', [event()], 0);
    for (let round = 1; round <= 10; round++) {
      const outcomes = await Promise.allSettled([
        a.append('bouncePattern-x', [event()], round),
        b.append('bouncePattern-x', [event()], round),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(WrongExpectedVersion);
      expect(rejected.reason).toMatchObject({ actual: round + 1 });
    }
  });

  it('creates the schema once when several processes start together, and keeps the log across reopen', async () => {
    const schema = schemas.name();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open({ schema })));
    await stores[0]!.append('isp-a', [event()], 0);
    await Promise.all(stores.map((s) => s.close()));
    const reopened = await open({ schema });
    expect((await reopened.readStream('isp-a')).map((e) => e.version)).toEqual([1]);
    const migrations = await withPostgresClient((c) => c.query(`SELECT version FROM "${schema}".schema_migrations`));
    expect(migrations.rows).toEqual([{ version: 1 }, { version: 2 }]);
  });

  it('adds the audit indexes to a schema written before them, keeping its log', async () => {
    const schema = schemas.name();
    const store = await open({ schema });
    await store.append('isp-a', [event()], 0);
    await store.close();
    await withPostgresClient(async (c) => {
      for (const index of ['events_by_actor', 'events_by_time', 'events_by_command', 'events_by_type'])
        await c.query(`DROP INDEX "${schema}".${index}`);
      await c.query(`DELETE FROM "${schema}".schema_migrations WHERE version = 2`);
    });
    const reopened = await open({ schema });
    expect((await reopened.readLog({ actorId: 'u' }, { limit: 10 })).map((e) => e.streamId)).toEqual(['isp-a']);
    const indexes = await withPostgresClient((c) =>
      c.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE 'events_by_%' ORDER BY 1`, [
        schema,
      ]),
    );
    expect(indexes.rows.map((row) => row.indexname)).toEqual([
      'events_by_actor',
      'events_by_command',
      'events_by_time',
      'events_by_type',
    ]);
  });

  it('keeps the hash chain: an event altered in the table is named by verification', async () => {
    const schema = schemas.name();
    const store = await open({ schema });
    for (let i = 0; i < 5; i++) await store.append(`bouncePattern-${i}`, [event()], 0);
    const log: StoredEvent[] = [];
    for await (const e of store.readAll()) log.push(e);
    // The very hash the SQLite store computes for the same events.
    let previous: string | null = null;
    for (const e of log) {
      expect(e.hash).toBe(chainHash(previous, e));
      previous = e.hash;
    }
    await withPostgresClient((c) =>
      c.query(`UPDATE "${schema}".events SET data = '{"patternId":"weakened"}' WHERE position = 3`),
    );
    expect(await verifyChain(store.readAll())).toMatchObject({
      ok: false,
      mismatches: 1,
      firstMismatch: { position: 3n },
    });
  });

  it('covers positions in the hash: events moved to other positions, hashes kept, fail where they moved', async () => {
    const schema = schemas.name();
    const store = await open({ schema });
    for (let i = 0; i < 4; i++) await store.append(`bouncePattern-${i}`, [event()], 0);
    expect(await verifyChain(store.readAll())).toMatchObject({ ok: true, eventsChecked: 4 });
    await withPostgresClient((c) =>
      c.query(`UPDATE "${schema}".events SET position = position + 10 WHERE position >= 2`),
    );
    expect(await verifyChain(store.readAll())).toMatchObject({
      ok: false,
      eventsChecked: 4,
      mismatches: 3,
      firstMismatch: { position: 12n, reason: expect.stringMatching(/renumbered/) },
    });
  });

  it('a subscription survives its connections being cut, and appends after it are delivered', async () => {
    const schema = schemas.name();
    const name = `bp_cut_${randomUUID().slice(0, 8)}`;
    const url = `${postgresUrl}?application_name=${name}`;
    const store = await open({ schema, reconnectDelayMs: 20 }, url);
    const writer = await open({ schema });
    const { received, errors } = follow(store);
    await writer.append('isp-a', [event()], 0);
    await eventually(() => expect(received).toHaveLength(1));

    // The server ends every connection of the store (as a restart does).
    const cut = async () =>
      withPostgresClient((c) =>
        c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]),
      );
    expect((await cut()).rowCount).toBeGreaterThan(0);
    await writer.append('isp-a', [event()], 1);
    await eventually(() => expect(received).toHaveLength(2));
    // The listening connection is back: a new append arrives by notification, well before a slow poll.
    await cut();
    await eventually(() => expect(store.isReachable()).toBe(true));
    await writer.append('isp-a', [event()], 2);
    await eventually(() => expect(positions(received)).toEqual([1n, 2n, 3n]));
    expect(errors).toEqual([]);
    // The store's own appends work again too.
    expect((await store.append('isp-a', [event()], 3)).position).toBe(4n);
  });

  it('says plainly when the server cannot be reached', async () => {
    const error = await PostgresEventStore.open('postgres://root@127.0.0.1:1/test').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailable);
  });
});
