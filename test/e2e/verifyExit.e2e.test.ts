import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { scratchDir } from '../support/serviceProcess.js';

const scratch = scratchDir();
afterAll(() => scratch.cleanup());

it('verify exits 1 on a file that is no log (not 2, and without its usage text), 2 on a wrong command line only', async () => {
  const damaged = join(scratch.dir, 'damaged.sqlite');
  writeFileSync(damaged, Buffer.alloc(8192, 0x5a));
  const broken = await runCli(['verify'], { SQLITE_PATH: damaged });
  expect(broken.code).toBe(1);
  expect(broken.stderr).toMatch(/not a database|SQLITE_NOTADB|file is not/i);
  expect(broken.stderr).not.toMatch(/usage:/);

  const wrong = await runCli(['verify', '--no-such-option'], { SQLITE_PATH: damaged });
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toMatch(/usage: verify/);
});
