import { UsageError } from './usageError.js';
import { parseArgs } from 'node:util';
import { Audit } from '../app/audit.js';
import { ProjectionRunner } from '../app/projectionRunner.js';
import type { AsOf } from '../app/timeTravel.js';
import { openConfiguredStore, toJson, withStore } from './stores.js';

export const usage =
  'rules-as-of --at <ISO time> | --position <n>   the bounce patterns and ISPs as they stood then, as JSON';

function asOfFrom(args: string[]): AsOf {
  const { values } = parseArgs({ args, options: { at: { type: 'string' }, position: { type: 'string' } } });
  if (values.at !== undefined) return { at: new Date(values.at) };
  if (values.position !== undefined && /^\d+$/.test(values.position)) return { position: BigInt(values.position) };
  throw new UsageError('give --at <ISO time> or --position <n>');
}

export async function run(args: string[]): Promise<number> {
  const asOf = asOfFrom(args);
  return withStore(await openConfiguredStore(), async (store) => {
    // The same runner and time travel as the server: the answer is the one GraphQL would give.
    const runner = new ProjectionRunner(store);
    await runner.start();
    try {
      const audit = new Audit(store, runner);
      const [{ position, patterns }, { isps }] = await Promise.all([
        audit.bouncePatternsAsOf(asOf),
        audit.ispsAsOf(asOf),
      ]);
      console.log(toJson({ position, patterns, isps }, 2));
      return 0;
    } finally {
      await runner.stop();
    }
  });
}
