import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { hashSecret, newSecret } from '../app/apiTokens.js';
import { handleCommand } from '../app/commandHandler.js';
import { apiTokenDecider } from '../domain/apiToken.js';
import { apiTokenStream } from '../domain/streams.js';
import { openConfiguredStore, withStore } from './stores.js';

export const usage =
  'add-admin-token [--name <name>]   add an admin token to the log (recovery: needs the store, not the API); prints its secret once';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { name: { type: 'string', default: 'recovery admin (command line)' } },
  });
  const name = values.name!;
  const tokenId = `recovery-${randomUUID()}`;
  const secret = newSecret();
  const actor = { id: 'cli', name: `command line (${userInfo().username})`, kind: 'system' as const };
  // Printed before it is written, as the server does with the first admin token.
  console.log(
    `Admin token "${name}" (shown once, store it now; valid once the next line says it is stored):\n  ${secret}`,
  );
  const { position } = await withStore(await openConfiguredStore(), (store) =>
    handleCommand(
      store,
      apiTokenDecider,
      apiTokenStream(tokenId),
      { type: 'CreateApiToken', tokenId, name, role: 'admin', secretHash: hashSecret(secret) },
      { actor, reason: 'admin token added from the command line' },
      () => new Date(),
    ),
  );
  console.log(`stored at position ${position} as token ${tokenId}; running replicas accept it once they have read it`);
  return 0;
}
