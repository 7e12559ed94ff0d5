import { App, type AppOptions } from '../src/app/app.js';
import { handleCommand } from '../src/app/commandHandler.js';
import { bouncePatternDecider } from '../src/domain/bouncePattern.js';
import { ispDecider } from '../src/domain/isp.js';
import { ANONYMOUS_ACTOR, SYSTEM_ACTOR } from '../src/domain/types.js';
import { bouncePatternStream, ispStream } from '../src/domain/streams.js';
import { MemoryEventStore } from '../src/eventstore/memory.js';
import type { EventStore } from '../src/eventstore/port.js';
import { compileMatcher } from '../projections/matcher.js';
import { generateCorpus, type BenchCorpus } from './classify.js';

/** The longest gap between two turns of the event loop while `work` ran, in ms: what a request could wait. */
async function longestPause(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  let running = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  // One more turn, so that the tick waiting behind the work measures its gap.
  await new Promise((resolve) => setImmediate(resolve));
  running = false;
  return longest;
}

/** Writes the corpus' ISPs and rules into `store`, each created by its command. */
export async function writeRules(store: EventStore, { isps, rules }: Pick<BenchCorpus, 'isps' | 'rules'>) {
  const clock = () => new Date();
  for (const { id, ...fields } of isps)
    await handleCommand(
      store,
      ispDecider,
      ispStream(id),
      { type: 'CreateIsp', ispId: id, origin: 'CUSTOM', fields },
      { actor: SYSTEM_ACTOR },
      clock,
    );
  for (const { id, createdPosition: _, ...fields } of rules)
    await handleCommand(
      store,
      bouncePatternDecider,
      bouncePatternStream(id),
      { type: 'CreateBouncePattern', patternId: id, origin: 'CUSTOM', fields },
      { actor: SYSTEM_ACTOR },
      clock,
    );
}

/** An app whose log holds the corpus' ISPs and rules, each created by its command. */
export async function appWithRules(corpus: Pick<BenchCorpus, 'isps' | 'rules'>, options: AppOptions = {}) {
  const store = new MemoryEventStore();
  await writeRules(store, corpus);
  const app = new App(store, { seed: false, ...options });
  await app.start();
  return app;
}

/**
 * What an edit costs `classify` at `ruleCount` rules: the event loop held by one synchronous build of
 * the matcher, beside the runner's rebuild in slices after a real edit, in the same run.
 */
export async function benchRebuild(ruleCount = 10_000): Promise<void> {
  const app = await appWithRules(generateCorpus(ruleCount, 10, ruleCount));

  const live = app.runner.model.patterns();
  const previous = app.runner.matcher;
  let started = performance.now();
  const synchronous = await longestPause(async () => {
    await new Promise((resolve) => setImmediate(resolve));
    compileMatcher(live, app.runner.model.liveIsps(), 1n, previous);
  });
  const synchronousTotal = performance.now() - started;

  const target = live[Math.floor(live.length / 2)]!;
  started = performance.now();
  const sliced = await longestPause(() =>
    app.bouncePatterns.edit(
      target.id,
      target.version,
      { pattern: `${target.pattern}|edited in the bench` },
      { actor: ANONYMOUS_ACTOR },
    ),
  );
  const slicedTotal = performance.now() - started;
  await app.stop();

  console.log(
    `\nmatcher rebuild after one edit, ${ruleCount} rules: longest event-loop pause (what a classify call could wait)`,
  );
  console.table([
    {
      rebuild: 'synchronous (one build)',
      'longest pause ms': synchronous.toFixed(1),
      'until swapped ms': synchronousTotal.toFixed(1),
    },
    {
      rebuild: 'runner: in slices, old matcher serving',
      'longest pause ms': sliced.toFixed(1),
      'until swapped ms': slicedTotal.toFixed(1),
    },
  ]);
}
