/**
 * The auditors' command line: `npm run cli -- <command> [options]`. It reads the event store directly
 * (SQLITE_PATH, DATABASE_URL or EVENTSTORE_CONNECTION_STRING, as the server), so the server need not run.
 */
import { isUsageError } from './cli/usageError.js';

const COMMANDS: Record<string, () => Promise<{ run(args: string[]): Promise<number>; usage: string }>> = {
  export: () => import('./cli/export.js'),
  'rules-as-of': () => import('./cli/rulesAsOf.js'),
  verify: () => import('./cli/verify.js'),
  migrate: () => import('./cli/migrate.js'),
  'classify-message': () => import('./cli/classifyMessage.js'),
  'add-admin-token': () => import('./cli/addAdminToken.js'),
  backup: () => import('./cli/backup.js'),
};

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : COMMANDS[name];
if (!load) {
  const usages = await Promise.all(Object.values(COMMANDS).map(async (command) => `  ${(await command()).usage}`));
  console.error(`usage: npm run cli -- <command>\n${usages.join('\n')}`);
  process.exitCode = 2;
} else {
  const command = await load();
  try {
    process.exitCode = await command.run(args);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    // Exit 2 is for a wrong command line only; a store that cannot be read (unreadable, damaged) is a failure: 1.
    const usageError = isUsageError(error);
    if (usageError) console.error(`usage: ${command.usage}`);
    process.exitCode = usageError ? 2 : 1;
  }
}
