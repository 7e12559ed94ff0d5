import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { serviceEnv } from '../support/auth.js';
import { gql, gqlError } from '../support/graphqlClient.js';
import { logHead } from '../support/log.js';
import { scratchDir, startServiceProcess } from '../support/serviceProcess.js';

const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;

/** Starts the built service and waits for it to give up (on a fresh log unless `env` names one). */
function startExpectingFailure(env: Record<string, string>) {
  const scratch = scratchDir();
  try {
    return spawnSync(process.execPath, [MAIN], {
      env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', SQLITE_PATH: scratch.sqlitePath, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
  } finally {
    scratch.cleanup();
  }
}

describe('a start that cannot happen', () => {
  it.each([
    ['a bootstrap token too short', { BOOTSTRAP_ADMIN_TOKEN: 'short' }, /BOOTSTRAP_ADMIN_TOKEN must be 24 to 200/],
    [
      'a bootstrap token with a space',
      { BOOTSTRAP_ADMIN_TOKEN: `${'x'.repeat(20)} ${'y'.repeat(20)}` },
      /without spaces/,
    ],
    [
      'a bootstrap token no bearer header can carry',
      { BOOTSTRAP_ADMIN_TOKEN: 'x'.repeat(201) },
      /24 to 200 characters/,
    ],
    ['a port that is not a number', { PORT: 'eighty' }, /PORT must be/],
    ['AUTH_DISABLED in production', { AUTH_DISABLED: 'true', NODE_ENV: 'production' }, /AUTH_DISABLED.*production/],
    ['a flag that is neither true nor false', { AUTH_DISABLED: 'ture' }, /AUTH_DISABLED must be true or false/],
    ['an unknown NODE_ENV', { NODE_ENV: 'prod' }, /NODE_ENV must be one of/],
    ['an unknown AUDIT_ON_TAMPER', { AUDIT_ON_TAMPER: 'ignore' }, /AUDIT_ON_TAMPER must be one of refuse, read-only/],
    ['a FOLLOW_POLL_MS of 0', { FOLLOW_POLL_MS: '0' }, /FOLLOW_POLL_MS must be positive/],
  ])('says why in one line, without a stack trace: %s', (_case, env, why) => {
    const run = startExpectingFailure(env);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(why);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('says so in one line when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const run = startExpectingFailure({ PORT: String(port) });
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/EADDRINUSE/);
    } finally {
      taken.close();
    }
  });

  it('refuses another BOOTSTRAP_ADMIN_TOKEN on a log that has an admin, instead of adding a second', async () => {
    const scratch = scratchDir();
    await (await startServiceProcess(serviceEnv(scratch.sqlitePath))).stop();
    const head = await logHead(scratch.sqlitePath);
    const run = startExpectingFailure({
      SQLITE_PATH: scratch.sqlitePath,
      BOOTSTRAP_ADMIN_TOKEN: 'bp_another_admin_0123456789abcdef',
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/BOOTSTRAP_ADMIN_TOKEN is not the secret of this log's admin token/),
    ]);
    expect(await logHead(scratch.sqlitePath)).toBe(head);
    const again = await startServiceProcess(serviceEnv(scratch.sqlitePath));
    const tokens = await gql(again.url, '{ apiTokens { role } }');
    expect(tokens.data.apiTokens.filter((t: { role: string }) => t.role === 'ADMIN')).toHaveLength(1);
    await again.stop();
    scratch.cleanup();
  });
});

it('reads NODE_ENV without regard to case: PRODUCTION is production', async () => {
  const scratch = scratchDir();
  const service = await startServiceProcess(serviceEnv(scratch.sqlitePath, { NODE_ENV: 'PRODUCTION' }));
  const introspection = await gqlError(service.url, '{ __schema { queryType { name } } }');
  expect(introspection.message).toMatch(/introspection/i);
  await service.stop();
  scratch.cleanup();
});
