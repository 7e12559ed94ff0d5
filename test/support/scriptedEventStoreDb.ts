import {
  BACKWARDS,
  END,
  MaxAppendSizeExceededError,
  START,
  StreamNotFoundError,
  type AppendToStreamOptions,
  type EventData,
  type EventStoreDBClient,
  type ReadStreamOptions,
  type StreamMetadata,
} from '@eventstore/db-client';

const sizeOf = (data: unknown) => (data instanceof Uint8Array ? data.byteLength : JSON.stringify(data).length);

/** EventStoreDB's default limit on one append's size. */
export const MAX_APPEND_BYTES = 1024 * 1024;

interface StreamState {
  events: { type: string; revision: bigint; data: unknown; createdAt: number }[];
  metadata: StreamMetadata;
}

/**
 * No EventStoreDB server can run on these machines. This stands in for the server behind the client
 * (@eventstore/db-client 6.2.1), with the behaviour the statistics store relies on, as the server
 * documents it: revisions per stream from 0, reads forwards and backwards from a revision, a missing
 * stream read throws StreamNotFoundError, `$tb` hides what is before it, `$maxAge` what is older, and an
 * append over 1 MiB is refused. Several clients over one instance are replicas sharing a server.
 */
export class ScriptedEventStoreDb {
  readonly streams = new Map<string, StreamState>();
  appendedBytes = 0;
  constructor(readonly clock: () => number = Date.now) {}

  private state(stream: string): StreamState {
    let state = this.streams.get(stream);
    if (state === undefined) {
      state = { events: [], metadata: {} };
      this.streams.set(stream, state);
    }
    return state;
  }

  /** What a read sees: not truncated, not older than `$maxAge`. */
  visible(stream: string) {
    const state = this.streams.get(stream);
    if (state === undefined) return undefined;
    const { truncateBefore, maxAge } = state.metadata;
    const now = this.clock();
    return state.events.filter(
      (event) =>
        (typeof truncateBefore !== 'number' || event.revision >= BigInt(truncateBefore)) &&
        (maxAge === undefined || now - event.createdAt < maxAge * 1000),
    );
  }

  client(): EventStoreDBClient {
    return {
      appendToStream: async (stream: string, events: EventData | EventData[], _options?: AppendToStreamOptions) => {
        const list = Array.isArray(events) ? events : [events];
        const bytes = list.reduce((sum, event) => sum + sizeOf(event.data), 0);
        if (bytes > MAX_APPEND_BYTES) throw new MaxAppendSizeExceededError(undefined, MAX_APPEND_BYTES);
        this.appendedBytes += bytes;
        const state = this.state(stream);
        for (const event of list)
          state.events.push({
            type: event.type,
            revision: BigInt(state.events.length),
            // A copy, as the server stores it: bytes as they are, JSON through JSON.
            data:
              event.data instanceof Uint8Array ? Uint8Array.from(event.data) : JSON.parse(JSON.stringify(event.data)),
            createdAt: this.clock(),
          });
        return { success: true, nextExpectedRevision: BigInt(state.events.length - 1), position: undefined };
      },
      readStream: (stream: string, options: ReadStreamOptions = {}) => {
        const visible = this.visible(stream);
        const backwards = options.direction === BACKWARDS;
        const from = options.fromRevision ?? (backwards ? END : START);
        const max = options.maxCount === undefined ? Number.POSITIVE_INFINITY : Number(options.maxCount);
        const streams = this.streams;
        return (async function* () {
          // A stream with metadata but no event yet is not found either.
          if (visible === undefined || streams.get(stream)!.events.length === 0)
            throw new StreamNotFoundError(undefined, stream);
          const ordered = backwards ? [...visible].reverse() : visible;
          let count = 0;
          for (const event of ordered) {
            if (count >= max) return;
            if (from !== START && from !== END && (backwards ? event.revision > from : event.revision < from)) continue;
            count++;
            yield { event: { ...event, streamId: stream, id: String(event.revision), metadata: {} } };
          }
        })();
      },
      setStreamMetadata: async (stream: string, metadata: StreamMetadata) => {
        this.state(stream).metadata = metadata;
        return { success: true, nextExpectedRevision: 0n, position: undefined };
      },
      dispose: async () => {},
    } as unknown as EventStoreDBClient;
  }
}
