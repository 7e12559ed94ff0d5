import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { DefaultBouncePattern } from '../../src/domain/defaults/bouncePatterns.js';
import { DEFAULT_ISPS } from '../../src/domain/defaults/isps.js';
import type { DefaultsRelease } from '../../src/domain/defaults/release.js';
import { startService, type RunningService } from '../../src/server.js';
import { asAdmin, serviceEnv } from '../support/auth.js';
import { gqlData, gqlError } from '../support/graphqlClient.js';
import { CREATE_PATTERN, EDIT_PATTERN } from '../support/queries.js';
import { scratchDir } from '../support/serviceProcess.js';

/* Two releases started one after the other on one SQLite file, read through GraphQL as an operator does. */

const scratch = scratchDir();
let service: RunningService | undefined;
afterAll(async () => {
  await service?.stop();
  scratch.cleanup();
});

const rule = (id: string, pattern: string): DefaultBouncePattern => ({
  id: `default-${id}`,
  name: id,
  type: 'HARD_BOUNCE',
  ispId: null,
  pattern,
  message: 'Mailbox does not exist',
  priority: 500,
  enabled: true,
});
const release = (name: string, patterns: DefaultBouncePattern[]): DefaultsRelease => ({
  release: name,
  isps: DEFAULT_ISPS,
  patterns,
});

const start = async (defaults: DefaultsRelease) => {
  const config = loadConfig(serviceEnv(scratch.sqlitePath, { PORT: '0', NODE_ENV: 'test' }));
  service = await startService(config, { defaults });
  return service;
};
const admin = <T = any>(query: string, variables: Record<string, unknown> = {}) =>
  gqlData<T>(service!.url, query, variables, asAdmin);

const PATTERN = `id version pattern enabled differsFromShippedDefault
  shippedDefault { release removed pattern enabled } history { actor { id kind } reason }`;
const DIFFERING = `{ bouncePatternsDifferingFromShippedDefaults { ${PATTERN} } }`;
const TAKE = `mutation($id: ID!, $v: Int!, $reason: String) {
  takeShippedBouncePattern(id: $id, expectedVersion: $v, reason: $reason) { pattern { ${PATTERN} } } }`;

describe('shipped defaults through GraphQL', () => {
  it('lists operator-edited defaults after an upgrade and lets the operator take the shipped version', async () => {
    await start(release('r1', [rule('a', 'user unknown'), rule('b', 'no such user'), rule('c', 'unknown user')]));
    await admin(EDIT_PATTERN, { id: 'default-a', expectedVersion: 1, input: { pattern: 'user unknown here' } });
    await service!.stop();

    await start(release('r2', [rule('a', 'user (?:is )?unknown'), rule('b', 'no such (?:user|mailbox)')]));
    const { bouncePatternsDifferingFromShippedDefaults: differing } = await admin(DIFFERING);
    expect(differing).toEqual([
      {
        id: 'default-a',
        version: 2,
        pattern: 'user unknown here',
        enabled: true,
        differsFromShippedDefault: true,
        shippedDefault: { release: 'r2', removed: false, pattern: 'user (?:is )?unknown', enabled: true },
        history: [
          { actor: { id: 'system', kind: 'SYSTEM' }, reason: 'shipped with defaults release r1' },
          { actor: { id: expect.stringMatching(/^bootstrap-/), kind: 'TOKEN' }, reason: null },
        ],
      },
    ]);
    const { bouncePattern: c } = await admin(`query($id: ID!) { bouncePattern(id: $id) { ${PATTERN} } }`, {
      id: 'default-c',
    });
    expect(c).toMatchObject({
      enabled: false,
      differsFromShippedDefault: false,
      shippedDefault: { release: 'r2', removed: true, enabled: false },
    });

    // A stale version is refused; the current one takes the shipped version and nothing differs any more.
    expect((await gqlError(service!.url, TAKE, { id: 'default-a', v: 1 })).extensions?.code).toBe('CONFLICT');
    const taken = (await admin(TAKE, { id: 'default-a', v: 2, reason: 'back to the shipped rule' }))
      .takeShippedBouncePattern.pattern;
    expect(taken).toMatchObject({ version: 3, pattern: 'user (?:is )?unknown', differsFromShippedDefault: false });
    expect(taken.history.at(-1)).toMatchObject({ actor: { kind: 'TOKEN' }, reason: 'back to the shipped rule' });
    expect((await admin(DIFFERING)).bouncePatternsDifferingFromShippedDefaults).toEqual([]);

    const custom = (
      await admin(CREATE_PATTERN, { input: { name: 'mine', type: 'BOUNCE', pattern: 'mine', message: 'm' } })
    ).createBouncePattern.pattern;
    const refused = await gqlError(service!.url, TAKE, { id: custom.id, v: custom.version });
    expect(refused.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});
