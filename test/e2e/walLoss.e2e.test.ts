import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { asAdmin, serviceEnv } from '../support/auth.js';
import { runCli } from '../support/cli.js';
import { gqlData } from '../support/graphqlClient.js';
import { CREATE_PATTERN, LIST_PATTERNS } from '../support/queries.js';
import { scratchDir, startServiceProcess } from '../support/serviceProcess.js';

/*
 * The -wal file of a SIGKILLed service deleted or damaged before the next start (a careless operator, a copy
 * without it, a disk fault): every acknowledged write must still be there, and the log must verify.
 */

const WRITES = 30;
const scratches: ReturnType<typeof scratchDir>[] = [];
afterAll(() => {
  for (const scratch of scratches) scratch.cleanup();
});

const DAMAGE: Record<string, (wal: string) => void> = {
  deleted: (wal) => rmSync(wal, { force: true }),
  'overwritten with random bytes': (wal) =>
    writeFileSync(wal, randomBytes(Math.max(existsSync(wal) ? statSync(wal).size : 0, 64 * 1024))),
};

describe('a lost or damaged -wal file after SIGKILL', () => {
  for (const [name, damage] of Object.entries(DAMAGE))
    it(`${name}: no acknowledged write is lost and the log verifies`, async () => {
      const scratch = scratchDir();
      scratches.push(scratch);
      const first = await startServiceProcess(serviceEnv(scratch.sqlitePath));
      const acknowledged: string[] = [];
      for (let i = 0; i < WRITES; i++) {
        const data = await gqlData(
          first.url,
          CREATE_PATTERN,
          { input: { name: `wal ${i}`, type: 'BOUNCE', pattern: `wal marker ${i}\\b`, message: 'm' } },
          asAdmin,
        );
        acknowledged.push(data.createBouncePattern.pattern.id);
      }
      // Killed without warning: no shutdown hook checkpoints the -wal file.
      await first.stop('SIGKILL');
      damage(`${scratch.sqlitePath}-wal`);

      const second = await startServiceProcess(serviceEnv(scratch.sqlitePath));
      const listed = await gqlData(second.url, LIST_PATTERNS, { filter: { origin: 'CUSTOM' }, first: 100 }, asAdmin);
      const ids = new Set(listed.bouncePatterns.edges.map((edge: { node: { id: string } }) => edge.node.id));
      expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);
      await second.stop();
      const verified = await runCli(['verify'], { SQLITE_PATH: scratch.sqlitePath });
      expect(verified.stderr).toMatch(/audit trail intact/);
      expect(verified.code).toBe(0);
    });
});
