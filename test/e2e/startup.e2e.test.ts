import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../support/serviceProcess.js';

const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;

/** Starts the built service and waits for it to give up. */
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
    ['a bootstrap token too short', { BOOTSTRAP_ADMIN_TOKEN: 'short' }, /BOOTSTRAP_ADMIN_TOKEN must be at least 24/],
    ['a port that is not a number', { PORT: 'eighty' }, /PORT must be/],
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
});
