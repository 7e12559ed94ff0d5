import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { loadConfig } from '../config.js';
import { verifyChain } from '../eventstore/chain.js';
import { SqliteEventStore } from '../eventstore/sqlite.js';
import { toJson, withStore } from './stores.js';
import { UsageError } from './usageError.js';

export const usage =
  'backup --out <file>   a consistent copy of the SQLite log, taken while the service runs (SQLite backup API), then verified';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  if (!values.out) throw new UsageError('give --out <file>');
  const config = loadConfig();
  if (config.databaseUrl || config.eventStoreConnectionString)
    throw new UsageError('backup copies the SQLite store; back PostgreSQL or EventStoreDB up with their own tools');
  // The backup API copies pages under a read transaction: writers go on, the copy is one moment of the log.
  const source = new Database(config.sqlitePath, { readonly: true, fileMustExist: true });
  try {
    await source.backup(values.out);
  } finally {
    source.close();
  }
  const result = await withStore(new SqliteEventStore(values.out), (copy) => verifyChain(copy.readAll()));
  console.log(toJson({ out: values.out, ...result }, 2));
  if (!result.ok) {
    console.error(`the copy does not verify at position ${result.firstMismatch?.position}: the source is damaged`);
    return 1;
  }
  console.error(`backup of ${result.eventsChecked} events written to ${values.out}; head hash ${result.headHash}`);
  return 0;
}
