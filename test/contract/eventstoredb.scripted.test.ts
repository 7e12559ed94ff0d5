import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AppendToStreamOptions,
  type EventStoreDBClient,
  type ReadStreamOptions,
  type SubscribeToAllOptions,
} from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMA_VERSION } from '../../src/domain/events.js';
import { ispDomainStream, ispUsageStream } from '../../src/domain/streams.js';
import { chainHashV1, verifyChain } from '../../src/eventstore/chain.js';
import {
  CHAIN_ANCHOR_STREAM,
  EventStoreDbEventStore,
  withDiscoveryDefaults,
} from '../../src/eventstore/eventstoredb.js';
import { MemoryEventStore } from '../../src/eventstore/memory.js';
import {
  StoreUnavailable,
  StreamDeleted,
  WrongExpectedVersion,
  type EventStore,
  type EventToAppend,
  type LogFilter,
  type StoredEvent,
} from '../../src/eventstore/port.js';

/*
 * No EventStoreDB server can run on these machines: these tests script the client's answers as its
 * source (@eventstore/db-client 6.2.1) produces them, to pin what the adapter does with each.
 */

const STREAM = 'bouncePattern-p1';
const event = (): EventToAppend => ({
  eventId: randomUUID(),
  type: 'BouncePatternEdited',
  data: {},
  metadata: {
    actor: { id: 'u', name: 'U', kind: 'user' },
    occurredAt: new Date().toISOString(),
    commandId: 'c',
    commandHash: null,
    correlationId: 'c',
    causationId: null,
    reason: null,
    schemaVersion: EVENT_SCHEMA_VERSION,
  },
});

interface Scripted {
  appends: AppendToStreamOptions[];
  reads: ReadStreamOptions[];
  disposed: boolean;
  client: EventStoreDBClient;
}

/** A client whose appends and reads answer as scripted. */
function scripted(
  append: () => Promise<unknown>,
  read: () => AsyncIterable<unknown> = async function* () {},
): Scripted {
  const state: Scripted = { appends: [], reads: [], disposed: false, client: undefined as never };
  state.client = {
    appendToStream: (_stream: string, _events: unknown, options: AppendToStreamOptions) => {
      state.appends.push(options);
      return append();
    },
    readStream: (_stream: string, options: ReadStreamOptions) => {
      state.reads.push(options);
      return read();
    },
    dispose: async () => {
      state.disposed = true;
    },
  } as unknown as EventStoreDBClient;
  return state;
}

const success = { success: true, nextExpectedRevision: 0n, position: { commit: 42n, prepare: 42n } };

describe('EventStoreDB appends under failover (scripted client)', () => {
  it('replaces a client whose appends fail after a failed capabilities check, and the retry succeeds', async () => {
    // The client caches the rejected capabilities promise: every later append fails, reads still work.
    const stuck = scripted(() => Promise.reject(new UnavailableError()));
    const fresh = scripted(() => Promise.resolve(success));
    const clients = [stuck, fresh];
    let made = 0;
    const store = new EventStoreDbEventStore(() => clients[made++]!.client);

    expect(await store.append(STREAM, [event()], 0)).toEqual({ nextVersion: 1, position: 42n });
    expect(made).toBe(2);
    expect(stuck.disposed).toBe(true);
    // The next append goes straight to the new client.
    await store.append(STREAM, [event()], 'any');
    expect([stuck.appends.length, fresh.appends.length]).toEqual([1, 2]);
  });

  it('says STORE_UNAVAILABLE when the new client fails too', async () => {
    let made = 0;
    const store = new EventStoreDbEventStore(() => {
      made += 1;
      return scripted(() => Promise.reject(new UnavailableError())).client;
    });
    await expect(store.append(STREAM, [event()], 0)).rejects.toBeInstanceOf(StoreUnavailable);
    expect(made).toBe(3);
  });

  it('does not retry an answer about the stream itself: a wrong expected version keeps the client', async () => {
    let made = 0;
    const store = new EventStoreDbEventStore(() => {
      made += 1;
      return scripted(() =>
        Promise.reject(new WrongExpectedVersionError(undefined, { streamName: STREAM, current: 1n, expected: 0n })),
      ).client;
    });
    await expect(store.append(STREAM, [event()], 1)).rejects.toMatchObject({ name: 'WrongExpectedVersion', actual: 2 });
    await expect(store.append(STREAM, [event()], 1)).rejects.toBeInstanceOf(WrongExpectedVersion);
    expect(made).toBe(1);
  });

  it('sends appends and the reads that decide them to the leader only', async () => {
    const client = scripted(() => Promise.resolve(success));
    const store = new EventStoreDbEventStore(client.client);
    await store.append(STREAM, [event()], 0);
    await store.readStream(STREAM);
    expect(client.appends[0]).toMatchObject({ requiresLeader: true });
    expect(client.reads[0]).toMatchObject({ requiresLeader: true });
  });

  it('maps a deleted stream to StreamDeleted, on append and on read', async () => {
    const deleted = () => new StreamDeletedError(undefined, STREAM);
    const client = scripted(
      () => Promise.reject(deleted()),
      // biome-ignore lint/correctness/useYield: the read fails before its first event
      async function* () {
        throw deleted();
      },
    );
    const store = new EventStoreDbEventStore(client.client);
    await expect(store.append(STREAM, [event()], 3)).rejects.toBeInstanceOf(StreamDeleted);
    await expect(store.readStream(STREAM)).rejects.toMatchObject({ name: 'StreamDeleted', streamId: STREAM });
  });

  it('raises the discovery limits above an election, unless the connection string sets them', () => {
    const cluster = withDiscoveryDefaults('esdb://node1:2113,node2:2113?tls=true&tlsCAFile=/certs/ca/ca.crt');
    const params = new URLSearchParams(cluster.split('?')[1]);
    expect(Number(params.get('maxDiscoverAttempts')) * Number(params.get('discoveryInterval'))).toBeGreaterThanOrEqual(
      30_000,
    );
    expect(params.get('tlsCAFile')).toBe('/certs/ca/ca.crt');
    expect(withDiscoveryDefaults('esdb://a:2113?maxDiscoverAttempts=5&discoveryInterval=50')).toBe(
      'esdb://a:2113?maxDiscoverAttempts=5&discoveryInterval=50',
    );
    expect(withDiscoveryDefaults('esdb://a:2113')).toBe('esdb://a:2113?maxDiscoverAttempts=60&discoveryInterval=500');
  });
});

describe('EventStoreDB subscription checkpoints (scripted client)', () => {
  const resolved = (position: bigint, streamId = STREAM) => ({
    event: {
      streamId,
      id: randomUUID(),
      revision: position,
      type: 'BouncePatternEdited',
      data: {},
      metadata: {},
      isJson: true,
      created: new Date(),
      position: { commit: position, prepare: position },
    },
  });
  type Stream = Readable & { unsubscribe(): Promise<void> };
  const drop = (stream: Readable) =>
    stream.destroy(Object.assign(new Error('14 UNAVAILABLE: Connection dropped'), { code: 14 }));

  /** Follows a scripted $all; returns the delivered positions and the positions each (re)subscription started from. */
  async function follow(
    scripts: ((stream: Stream, options: SubscribeToAllOptions) => void)[],
    expected: bigint[],
    handlerDelayMs = 0,
  ) {
    const calls: SubscribeToAllOptions[] = [];
    const client = {
      subscribeToAll(options: SubscribeToAllOptions) {
        calls.push(options);
        const stream = Object.assign(new Readable({ objectMode: true, read() {} }), {
          unsubscribe: async () => undefined,
        });
        scripts[calls.length - 1]?.(stream, options);
        return stream;
      },
    } as unknown as EventStoreDBClient;
    const store = new EventStoreDbEventStore(client, { reconnectDelayMs: 10 });
    const received: bigint[] = [];
    const errors: unknown[] = [];
    const subscription = store.subscribeAll(null, {
      onEvents: async (events) => {
        if (handlerDelayMs) await new Promise((resolve) => setTimeout(resolve, handlerDelayMs));
        received.push(...events.map((e) => e.position));
      },
      onError: (error) => errors.push(error),
    });
    const deadline = Date.now() + 5_000;
    while (received.length < expected.length && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await subscription.stop();
    expect(received).toEqual(expected);
    expect(errors).toEqual([]);
    return calls.map((call) => call.fromPosition);
  }

  it('resubscribes from the last delivered event, losing and repeating nothing', async () => {
    const from = await follow(
      [
        // Two events, then the connection drops.
        (stream) => {
          stream.push(resolved(10n));
          stream.push(resolved(20n));
          setTimeout(() => drop(stream), 20);
        },
        // The server replays from the checkpoint itself, skips a system stream, then goes on live.
        (stream) => {
          stream.push(resolved(20n));
          stream.push(resolved(25n, '$stats-127.0.0.1:2113'));
          stream.push(resolved(30n));
        },
      ],
      [10n, 20n, 30n],
    );
    expect(from).toEqual(['start', { commit: 20n, prepare: 20n }]);
  });

  it("resumes after a reconnect from the server's checkpoint, not from the last event of ours", async () => {
    const from = await follow(
      [
        (stream, options) => {
          stream.push(resolved(10n));
          // The server scanned up to 500 and found nothing else for our filter.
          setTimeout(() => {
            options.filter!.checkpointReached!(stream as never, { commit: 500n, prepare: 500n });
            setTimeout(() => drop(stream), 20);
          }, 20);
        },
        (stream) => stream.push(resolved(600n)),
      ],
      [10n, 600n],
    );
    expect(from).toEqual(['start', { commit: 500n, prepare: 500n }]);
  });

  it('does not let a checkpoint pass events that were received but not yet handled', async () => {
    const from = await follow(
      [
        (stream, options) => {
          stream.push(resolved(10n));
          stream.push(resolved(20n));
          // Reached while 20 is still waiting behind a slow handler; then the connection drops.
          options.filter!.checkpointReached!(stream as never, { commit: 500n, prepare: 500n });
          setTimeout(() => drop(stream), 5);
        },
        (stream) => {
          stream.push(resolved(20n));
          stream.push(resolved(600n));
        },
      ],
      [10n, 20n, 600n],
      50,
    );
    expect(from[1]).toEqual({ commit: 10n, prepare: 10n });
  });
});

/** A log in memory answering as the client does: enough of EventStoreDB to anchor and verify the hash chain. */
function inMemoryServer() {
  const log: {
    streamId: string;
    revision: bigint;
    position: bigint;
    id: string;
    type: string;
    data: any;
    metadata: any;
  }[] = [];
  const resolvedOf = (entry: (typeof log)[number]) => ({
    event: {
      ...entry,
      isJson: true,
      created: new Date(),
      position: { commit: entry.position, prepare: entry.position },
    },
  });
  const client = {
    async appendToStream(streamId: string, events: any, options: { expectedRevision: unknown }) {
      const stream = log.filter((entry) => entry.streamId === streamId);
      const current = stream.length === 0 ? 'no_stream' : BigInt(stream.length - 1);
      if (options.expectedRevision !== 'any' && options.expectedRevision !== current)
        throw new WrongExpectedVersionError(undefined, {
          streamName: streamId,
          current: current as bigint,
          expected: options.expectedRevision as bigint,
        });
      for (const event of [events].flat())
        log.push({
          streamId,
          revision: BigInt(log.filter((entry) => entry.streamId === streamId).length),
          position: BigInt((log.length + 1) * 100),
          id: event.id,
          type: event.type,
          data: event.data,
          metadata: event.metadata,
        });
      const last = log.at(-1)!;
      return {
        success: true,
        nextExpectedRevision: last.revision,
        position: { commit: last.position, prepare: last.position },
      };
    },
    readStream(streamId: string, options: { direction?: string; maxCount?: number } = {}) {
      return (async function* () {
        // `$bc-<id>`: what the $by_correlation_id projection links, by the metadata's `$correlationId`.
        let stream = streamId.startsWith('$bc-')
          ? log.filter((entry) => entry.metadata?.$correlationId === streamId.slice(4))
          : log.filter((entry) => entry.streamId === streamId);
        if (stream.length === 0) throw new StreamNotFoundError(undefined, streamId);
        if (options.direction === 'backwards') stream = stream.reverse();
        for (const entry of stream.slice(0, options.maxCount ?? Infinity)) yield resolvedOf(entry);
      })();
    },
    readAll(options: { fromPosition?: 'start' | 'end' | { commit: bigint }; direction?: string } = {}) {
      const { fromPosition = 'start', direction } = options;
      const from = typeof fromPosition === 'object' ? fromPosition.commit : null;
      const entries =
        direction === 'backwards'
          ? log.filter((e) => from === null || e.position <= from).reverse()
          : log.filter((e) => from === null || e.position >= from);
      return Object.assign(
        (async function* () {
          for (const entry of entries) yield resolvedOf(entry);
        })(),
        { cancel: async () => undefined },
      );
    },
    dispose: async () => undefined,
  } as unknown as EventStoreDBClient;
  return { log, client };
}

describe('EventStoreDB keeps the hash chain in anchors (in-memory server)', () => {
  async function written(count: number) {
    const server = inMemoryServer();
    const store = new EventStoreDbEventStore(server.client, { anchorDelayMs: 60_000 });
    for (let i = 0; i < count; i++) await store.append(`isp-${i % 3}`, [event()], 'any');
    return { server, store };
  }

  it('verifies the chain once anchored; says it keeps none before the first anchor', async () => {
    const { store } = await written(5);
    expect(await verifyChain(store.readAll())).toMatchObject({ chainKept: false });
    await store.anchorChain();
    await store.append('isp-0', [event()], 'any');
    await store.anchorChain();
    const verified = await verifyChain(store.readAll());
    expect(verified).toMatchObject({ ok: true, chainKept: true, eventsChecked: 6, mismatches: 0 });
    // The very hashes the other stores compute for the same events.
    let previous: string | null = null;
    for await (const e of store.readAll()) previous = chainHashV1(previous, e);
    expect(verified.headHash).toBe(previous);
    await store.close();
  });

  it('names the anchor after an event that was altered or removed', async () => {
    const { server, store } = await written(6);
    await store.anchorChain();
    const anchored = server.log.find((entry) => entry.streamId === CHAIN_ANCHOR_STREAM)!;
    server.log.find((entry) => entry.streamId === 'isp-1')!.data = { weakened: true };
    expect(await verifyChain(store.readAll())).toMatchObject({
      ok: false,
      mismatches: 1,
      firstMismatch: { position: BigInt(anchored.data.position) },
    });

    const { server: other, store: truncated } = await written(6);
    await truncated.anchorChain();
    other.log.splice(2, 1);
    expect(await verifyChain(truncated.readAll())).toMatchObject({ ok: false, mismatches: 1 });

    // The anchored event itself removed: the next event stands in for it, and fails.
    const { server: third, store: cut } = await written(6);
    await cut.anchorChain();
    await cut.append('isp-9', [event()], 'any');
    const anchor = third.log.find((entry) => entry.streamId === CHAIN_ANCHOR_STREAM)!;
    third.log.splice(
      third.log.findIndex((entry) => String(entry.position) === anchor.data.position),
      1,
    );
    expect(await verifyChain(cut.readAll())).toMatchObject({ ok: false, mismatches: 1 });
  });

  it('anchors once when replicas anchor together, and anchors after appends on its own', async () => {
    const server = inMemoryServer();
    const [a, b] = [0, 1].map(() => new EventStoreDbEventStore(server.client, { anchorDelayMs: 20 }));
    for (let i = 0; i < 4; i++) await a!.append('isp-x', [event()], 'any');
    await Promise.all([a!.anchorChain(), b!.anchorChain()]);
    expect(server.log.filter((entry) => entry.streamId === CHAIN_ANCHOR_STREAM)).toHaveLength(1);
    await b!.append('isp-x', [event()], 'any');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.log.filter((entry) => entry.streamId === CHAIN_ANCHOR_STREAM)).toHaveLength(2);
    expect(await verifyChain(a!.readAll())).toMatchObject({ ok: true, eventsChecked: 5 });
    await Promise.all([a!.close(), b!.close()]);
  });
});

describe('EventStoreDB tells when a replica holds every event (in-memory server)', () => {
  it('reports a read of the end of $all that found nothing new, and none while an event is not yet handled', async () => {
    const server = inMemoryServer();
    const live = Object.assign(new Readable({ objectMode: true, read() {} }), { unsubscribe: async () => undefined });
    Object.assign(server.client, { subscribeToAll: () => live });
    const store = new EventStoreDbEventStore(server.client, { anchorDelayMs: 60_000, headReadMs: 20 });
    const pushLast = () => {
      const entry = server.log.at(-1)!;
      live.push({ event: { ...entry, isJson: true, created: new Date(), position: { commit: entry.position } } });
    };
    const caughtUp: number[] = [];
    const subscription = store.subscribeAll(null, { onEvents: () => {}, onCaughtUp: (at) => caughtUp.push(at) });
    const readsSince = async (since: number, ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return caughtUp.filter((at) => at >= since).length;
    };

    await store.append('isp-a', [event()], 'any');
    pushLast();
    expect(await readsSince(Date.now(), 150)).toBeGreaterThan(0);
    // Another service's stream after ours changes nothing: it is not ours to wait for.
    await store.append('other-service-1', [event()], 'any');
    expect(await readsSince(Date.now(), 150)).toBeGreaterThan(0);

    // Appended, not yet delivered: no read begun since finds nothing new.
    await store.append('isp-a', [event()], 'any');
    // A read begun in the same millisecond as the append may have come before it.
    const appended = Date.now() + 1;
    expect(await readsSince(appended, 150)).toBe(0);
    pushLast();
    expect(await readsSince(Date.now(), 150)).toBeGreaterThan(0);
    await subscription.stop();
    await store.close();
  });
});

describe('EventStoreDB reads back the reservation streams (in-memory server)', () => {
  it('a domain claimed once is refused to the next claim at the same expected version', async () => {
    const store = new EventStoreDbEventStore(inMemoryServer().client, { anchorDelayMs: 60_000 });
    await store.append(ispDomainStream('mail.example'), [event()], 0);
    await store.append(ispUsageStream('isp-a'), [event()], 0);
    expect(await store.readStream(ispDomainStream('mail.example'))).toHaveLength(1);
    expect(await store.readStream(ispUsageStream('isp-a'))).toHaveLength(1);
    await expect(store.append(ispDomainStream('mail.example'), [event()], 0)).rejects.toMatchObject({
      name: 'WrongExpectedVersion',
      actual: 1,
    });
    await store.close();
  });
});

describe('EventStoreDB answers the audit questions as the other stores do (in-memory server)', () => {
  it('gives the same pages, counts and positions at a time as the memory store, on the same events', async () => {
    const server = inMemoryServer();
    const esdb = new EventStoreDbEventStore(server.client, { anchorDelayMs: 60_000 });
    const memory = new MemoryEventStore();
    const minute = (n: number) => new Date(Date.UTC(2020, 0, 1, 0, n)).toISOString();
    const streams = ['bouncePattern-a', 'isp-b', 'apiToken-b', 'bouncePattern-c'];
    for (let i = 0; i < 24; i++) {
      const base = event();
      const written = {
        ...base,
        type: i % 3 === 0 ? 'BouncePatternCreated' : 'BouncePatternEdited',
        metadata: {
          ...base.metadata,
          actor: { id: `actor-${i % 2}`, name: 'A', kind: 'user' as const },
          occurredAt: minute(Math.floor(i / 2)),
          commandId: `command-${Math.floor(i / 4)}`,
        },
      };
      for (const store of [esdb, memory]) await store.append(streams[i % 4]!, [written], 'any');
    }
    // What the $by_correlation_id projection links by: the command id.
    expect(server.log.find((entry) => entry.streamId === 'isp-b')!.metadata.$correlationId).toBe('command-0');
    const audited = ['bouncePattern-', 'isp-'];
    const filters: LogFilter[] = [
      {},
      { streamPrefixes: audited },
      { streamIds: ['isp-b', 'bouncePattern-c'] },
      { actorId: 'actor-1', streamPrefixes: audited },
      { types: ['BouncePatternCreated'] },
      { from: minute(3), to: minute(7) },
      { commandId: 'command-2', streamPrefixes: audited },
    ];
    const ids = (events: readonly StoredEvent[]) => events.map((stored) => stored.eventId);
    const [middle] = await esdb
      .readLog({}, { after: null, limit: 1, backwards: false })
      .then(async (first) => esdb.readLog({}, { after: first[0]!.position, limit: 12 }).then((page) => page.slice(-1)));
    const [memoryMiddle] = await memory.readLog({}, { limit: 1, after: 12n });
    for (const filter of filters) {
      const label = JSON.stringify(filter);
      for (const backwards of [false, true]) {
        expect(ids(await esdb.readLog(filter, { limit: 5, backwards })), label).toEqual(
          ids(await memory.readLog(filter, { limit: 5, backwards })),
        );
        // Past the same event, wherever each store put it.
        expect(ids(await esdb.readLog(filter, { after: middle!.position, limit: 5, backwards })), label).toEqual(
          ids(await memory.readLog(filter, { after: memoryMiddle!.position, limit: 5, backwards })),
        );
      }
      expect(await esdb.countLog(filter), label).toBe(await memory.countLog(filter));
      // The projection's key is written to the server, never read back into the log.
      expect(
        (await esdb.readLog(filter, { limit: 30 })).map((read) => read.metadata),
        label,
      ).toEqual((await memory.readLog(filter, { limit: 30 })).map((read) => read.metadata));
      for (const at of [minute(0), minute(5), minute(99)]) {
        const [fromEsdb, fromMemory] = await Promise.all([esdb.positionAt(at, filter), memory.positionAt(at, filter)]);
        const eventAt = async (store: EventStore, position: bigint | null) =>
          position === null ? null : (await store.readLog({}, { after: position - 1n, limit: 1 }))[0]!.eventId;
        expect(await eventAt(esdb, fromEsdb), `${label} at ${at}`).toBe(await eventAt(memory, fromMemory));
      }
    }
  });
});
