import { parseArgs } from 'node:util';
import { verifyChain } from '../eventstore/chain.js';
import { loadVerifyingKey, readCheckpoints, verifyWithCheckpoints } from '../eventstore/checkpoints.js';
import { UsageError } from './usageError.js';
import { openConfiguredStore, toJson, withStore } from './stores.js';

export const usage =
  'verify [--checkpoints <file> --public-key <pem>]   recompute the hash chain (and check the signed checkpoints); exit 1 when an event was altered, removed or renumbered, 3 when the store keeps no chain';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { checkpoints: { type: 'string' }, 'public-key': { type: 'string' } },
  });
  if ((values.checkpoints === undefined) !== (values['public-key'] === undefined))
    throw new UsageError('give --checkpoints and --public-key together');
  const result = await withStore(await openConfiguredStore(), async (store) => {
    if (values.checkpoints === undefined) return verifyChain(store.readAll());
    const checkpoints = readCheckpoints(values.checkpoints);
    if (checkpoints === null) throw new Error(`no checkpoint file at ${values.checkpoints}`);
    return verifyWithCheckpoints(store, checkpoints, loadVerifyingKey(values['public-key']!), false);
  });
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
