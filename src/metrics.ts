import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CompiledMatcher } from '../projections/matcher.js';
import type { App } from './app/app.js';
import type { MetricsMode } from './config.js';
import type { EventStore } from './eventstore/port.js';

/**
 * The service's Prometheus metrics. Nothing here runs per classified reply but one Map increment:
 * counters are summed in plain numbers and handed to prom-client when /metrics is scraped.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly classified = new Map<string, { labels: Record<string, string>; count: number }>();
  private readonly latency: Histogram;
  private readonly batchSize: Histogram;
  private readonly appendSeconds: Histogram;
  private readonly errors: Counter;

  constructor(app: App) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const classified = this.classified;
    new Counter({
      name: 'bounce_classifications_total',
      help: 'Replies classified with the live rules, by verdict, what decided it (matchedBy) and ISP.',
      labelNames: ['type', 'matched_by', 'isp'],
      registers,
      collect() {
        this.reset();
        for (const { labels, count } of classified.values()) this.inc(labels, count);
      },
    });
    app.classifier.onClassified((_, verdict) => {
      const key = `${verdict.type} ${verdict.matchedBy} ${verdict.isp?.id ?? ''}`;
      const entry = classified.get(key);
      if (entry !== undefined) entry.count++;
      else
        classified.set(key, {
          labels: { type: verdict.type, matched_by: verdict.matchedBy, isp: verdict.isp?.id ?? 'none' },
          count: 1,
        });
    });
    this.latency = new Histogram({
      name: 'bounce_classify_duration_seconds',
      help: 'Time to resolve a classify or classifyBatch field (the whole batch), by operation.',
      labelNames: ['operation'],
      buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'bounce_classify_batch_size',
      help: 'Replies per classifyBatch call.',
      buckets: [1, 10, 50, 100, 250, 500, 1000],
      registers,
    });
    const runner = app.runner;
    new Gauge({
      name: 'bounce_matcher_rebuild_seconds',
      help: 'Duration of the last matcher rebuild, from its first slice to the swap.',
      registers,
      collect() {
        if (runner.lastRebuildMs !== null) this.set(runner.lastRebuildMs / 1000);
      },
    });
    new Gauge({
      name: 'bounce_matcher_rules',
      help: 'Rules the live matcher holds (enabled, compiled, ISP known).',
      registers,
      collect() {
        const matcher = runner.matcher;
        if (matcher instanceof CompiledMatcher) this.set(matcher.stats.rules);
      },
    });
    new Gauge({
      name: 'bounce_projection_lag_events',
      help: 'Events in the log that the projections have not applied yet.',
      registers,
      async collect() {
        const head = await app.store.headPosition();
        this.set(Number((head ?? 0n) - (runner.checkpoint ?? 0n)));
      },
    });
    this.appendSeconds = new Histogram({
      name: 'bounce_store_append_duration_seconds',
      help: 'Appends to the event store and their duration (the _count is the number of appends), by outcome.',
      labelNames: ['outcome'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers,
    });
    this.errors = new Counter({
      name: 'bounce_graphql_errors_total',
      help: 'Errors answered to GraphQL clients, by extensions.code.',
      labelNames: ['code'],
      registers,
    });
  }

  /** 1 while the log is served read-only because it failed verification at start (AUDIT_ON_TAMPER=read-only). */
  watchAuditTrail(broken: () => boolean): void {
    new Gauge({
      name: 'bounce_audit_trail_broken',
      help: 'Whether the event log failed its verification at start and is served read-only (1) or not (0).',
      registers: [this.registry],
      collect() {
        this.set(broken() ? 1 : 0);
      },
    });
  }

  /** Times the store's appends (the store is shared by every command handler). */
  instrument(store: EventStore): void {
    const append = store.append.bind(store);
    store.append = async (...args) => {
      const done = this.appendSeconds.startTimer();
      try {
        const result = await append(...args);
        done({ outcome: 'ok' });
        return result;
      } catch (error) {
        done({ outcome: 'refused' });
        throw error;
      }
    };
  }

  /** One classify or classifyBatch answered (by Apollo or by the fast path), and how long it took. */
  observeClassify(operation: 'classify' | 'classifyBatch', seconds: number, items?: number): void {
    this.latency.observe({ operation }, seconds);
    if (items !== undefined) this.batchSize.observe(items);
  }

  countError(code: unknown): void {
    this.errors.inc({ code: typeof code === 'string' ? code : 'UNKNOWN' });
  }

  /** Times the classify and classifyBatch fields. */
  plugin(): ApolloServerPlugin {
    const latency = this.latency;
    const batchSize = this.batchSize;
    return {
      async requestDidStart() {
        return {
          async executionDidStart() {
            return {
              willResolveField({ info, args }) {
                if (info.parentType.name !== 'Query') return;
                const operation = info.fieldName;
                if (operation !== 'classify' && operation !== 'classifyBatch') return;
                if (operation === 'classifyBatch' && Array.isArray(args.items)) batchSize.observe(args.items.length);
                const done = latency.startTimer({ operation });
                return () => done();
              },
            };
          },
        };
      },
    };
  }
}

/** Whether a scrape may read the metrics: open, or bearing the configured token. */
export function mayScrape(req: IncomingMessage, mode: MetricsMode, token: string | null): boolean {
  if (mode === 'open') return true;
  if (mode !== 'token' || token === null) return false;
  const sent = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}
