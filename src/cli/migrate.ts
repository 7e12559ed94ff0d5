import { UsageError } from './usageError.js';
import { parseArgs } from 'node:util';
import { migrateLog, verifyCopy } from '../eventstore/migrate.js';
import { openStoreSpec, toJson, withStore } from './stores.js';

export const usage =
  'migrate --from <store> --to <store>   copy the log (resumable), then compare event by event; a store is\n' +
  '  sqlite:<path>, postgres://user@host/db[?schema=name] or esdb:<conn>';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' } } });
  if (!values.from || !values.to) throw new UsageError('give --from and --to');
  const from = values.from;
  const to = values.to;
  return withStore(await openStoreSpec(from), async (source) =>
    withStore(await openStoreSpec(to, true), async (target) => {
      let reported = 0;
      const progress = await migrateLog(source, target, {
        onProgress: ({ copied }) => {
          if (copied - reported < 10_000) return;
          reported = copied;
          console.error(`${copied} events copied…`);
        },
      });
      console.error(`read ${progress.read} events, copied ${progress.copied}; comparing both logs…`);
      const difference = await verifyCopy(source, target);
      if (difference) {
        console.error(`the copy differs at event #${difference.index} (${difference.field}):`);
        console.error(toJson({ source: difference.source, target: difference.target }, 2));
        return 1;
      }
      console.error('the target holds an exact copy of the source log');
      return 0;
    }),
  );
}
