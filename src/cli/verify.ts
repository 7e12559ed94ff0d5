import { parseArgs } from 'node:util';
import { verifyChain } from '../eventstore/chain.js';
import { openConfiguredStore, toJson, withStore } from './stores.js';

export const usage =
  'verify   recompute the hash chain; exit 1 when an event was altered or removed, 3 when the store keeps no chain';

export async function run(args: string[]): Promise<number> {
  parseArgs({ args, options: {} });
  const result = await withStore(await openConfiguredStore(), (store) => verifyChain(store.readAll()));
  console.log(toJson(result, 2));
  if (!result.chainKept) {
    console.error('this event store keeps no hash chain (EventStoreDB): nothing was verified');
    return 3;
  }
  if (result.firstMismatch) {
    const { position, streamId, reason } = result.firstMismatch;
    console.error(`audit trail broken at position ${position} (${streamId}): ${reason}`);
    return 1;
  }
  console.error(`audit trail intact: ${result.eventsChecked} events; head hash ${result.headHash ?? '(empty log)'}`);
  return 0;
}
