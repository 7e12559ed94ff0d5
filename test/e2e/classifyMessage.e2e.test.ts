import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_LIMITS } from '../../src/domain/bounceMessage/parse.js';
import { bearer, serviceEnv } from '../support/auth.js';
import { runCli } from '../support/cli.js';
import { gql, gqlData } from '../support/graphqlClient.js';
import { CREATE_TOKEN } from '../support/queries.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bounces/${name}`, import.meta.url), 'utf8');
const CLASSIFY_MESSAGE = `query($message: String!) { classifyMessage(message: $message) {
  isBounce format reason reportingMta
  recipients { recipient action status remoteMta diagnostic classification { type matchedBy isp { id: ispId } pattern { name } } }
} }`;

const scratch = scratchDir();
let service: ServiceProcess;
let mta: Record<string, string>;
let tokenFile: string;

beforeAll(async () => {
  service = await startServiceProcess(serviceEnv(scratch.sqlitePath));
  const created = await gqlData(service.url, CREATE_TOKEN, { input: { name: 'postfix pipe', role: 'MTA' } });
  mta = bearer(created.createApiToken.secret);
  tokenFile = join(scratch.dir, 'token');
  writeFileSync(tokenFile, `${created.createApiToken.secret}\n`);
});

afterAll(async () => {
  await service?.stop();
  scratch.cleanup();
});

describe('classifyMessage over HTTP', () => {
  it('an MTA token gets every failed recipient with its verdict and ISP', async () => {
    const data = await gqlData(
      service.url,
      CLASSIFY_MESSAGE,
      { message: fixture('exchange2007-gmail-unknown.eml') },
      mta,
    );
    expect(data.classifyMessage).toMatchObject({ isBounce: true, format: 'DSN', reportingMta: 'test.local' });
    expect(data.classifyMessage.recipients).toEqual([
      expect.objectContaining({
        recipient: 'email_that_does_not_exists_this_is_just_a_test@gmail.com',
        action: 'FAILED',
        status: '5.1.1',
        remoteMta: 'mx.google.com',
        classification: expect.objectContaining({ type: 'HARD_BOUNCE', matchedBy: 'PATTERN', isp: { id: 'gmail' } }),
      }),
    ]);
  });

  it('a message that is no bounce: isBounce false and the reason', async () => {
    const data = await gqlData(service.url, CLASSIFY_MESSAGE, { message: 'Subject: hi\n\nhello\n' }, mta);
    expect(data.classifyMessage).toMatchObject({ isBounce: false, recipients: [] });
    expect(data.classifyMessage.reason).toMatch(/no delivery status report/);
  });

  it.each([
    ['empty', '', 'BAD_USER_INPUT'],
    ['over the size limit', `Subject: x\n\n${'a'.repeat(MESSAGE_LIMITS.bytes)}`, 'MESSAGE_TOO_LARGE'],
    [
      'nested too deep',
      `${'Content-Type: multipart/mixed; boundary=n\n\n--n\n'.repeat(MESSAGE_LIMITS.nesting + 4)}x\n`,
      'MESSAGE_TOO_COMPLEX',
    ],
  ])('%s: refused with its own code, and the service keeps answering', async (_name, message, code) => {
    const response = await gql(service.url, CLASSIFY_MESSAGE, { message }, mta);
    expect(response.status).toBe(200);
    expect(response.errors?.[0]?.extensions?.code).toBe(code);
    const healthy = await gqlData(service.url, CLASSIFY_MESSAGE, { message: fixture('qmail-no-host.eml') }, mta);
    expect(healthy.classifyMessage.isBounce).toBe(true);
  });
});

describe('classify-message, the command for pipe transports', () => {
  const lines = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

  it('through the API: one JSON line per failed recipient, exit 0', async () => {
    const result = await runCli(
      ['classify-message', '--url', service.url, '--token-file', tokenFile],
      {},
      fixture('qmail-two-recipients.eml'),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(lines(result.stdout).map((l) => [l.recipient, l.action, l.format])).toEqual([
      ['alice@example.com', 'failed', 'QMAIL'],
      ['bob@example.com', 'failed', 'QMAIL'],
    ]);
  });

  it('directly against the store: the same verdicts as the API', async () => {
    const message = fixture('exchange2007-gmail-unknown.eml');
    const [direct, api] = await Promise.all([
      runCli(['classify-message'], { SQLITE_PATH: scratch.sqlitePath }, message),
      runCli(
        ['classify-message', '--url', service.url],
        { BOUNCE_PATTERNS_TOKEN: mta.authorization!.slice(7) },
        message,
      ),
    ]);
    expect(direct.code, direct.stderr).toBe(0);
    expect(api.code, api.stderr).toBe(0);
    const [one] = lines(direct.stdout);
    expect(one).toMatchObject({ type: 'HARD_BOUNCE', isp: { id: 'gmail' }, status: '5.1.1' });
    // rulesetVersion aside: a runner that has just caught up names the log's head (the token events after
    // the rules count), one that followed the log names the last rule event. The rules are the same.
    const withoutVersion = (stdout: string) => lines(stdout).map(({ rulesetVersion: _v, ...rest }) => rest);
    expect(withoutVersion(direct.stdout)).toEqual(withoutVersion(api.stdout));
  });

  it('a message that is no bounce: one line with the reason, exit 0 (nothing to retry)', async () => {
    const result = await runCli(
      ['classify-message', '--url', service.url, '--token-file', tokenFile],
      {},
      'Subject: hi\n\nhello\n',
    );
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual([{ isBounce: false, reason: expect.stringMatching(/no delivery status/) }]);
  });

  it('an unreadable message: EX_DATAERR (65), retrying cannot help', async () => {
    const result = await runCli(['classify-message', '--url', service.url, '--token-file', tokenFile], {}, '\n\n');
    expect(result.code).toBe(65);
    expect(result.stderr).toMatch(/BAD_USER_INPUT/);
  });

  it('a message over the limit is cut, not refused: the report comes first', async () => {
    const huge = fixture('qmail-no-host.eml') + `\n${'x'.repeat(100)}\n`.repeat(MESSAGE_LIMITS.bytes / 50);
    const result = await runCli(['classify-message', '--url', service.url, '--token-file', tokenFile], {}, huge);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/cut to \d+ bytes/);
    expect(lines(result.stdout)[0].recipient).toBe('god@heaven.af.mil');
  });

  it('a revoked or wrong token: EX_TEMPFAIL (75), so the MTA keeps the bounce queued', async () => {
    const result = await runCli(
      ['classify-message', '--url', service.url],
      { BOUNCE_PATTERNS_TOKEN: 'bp_wrong_token_0123456789abcdef' },
      fixture('qmail-no-host.eml'),
    );
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/UNAUTHENTICATED/);
  });

  it('the service unreachable: EX_TEMPFAIL (75)', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const result = await runCli(
      ['classify-message', '--url', `http://127.0.0.1:${port}/graphql`, '--timeout', '5'],
      {},
      fixture('qmail-no-host.eml'),
    );
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/unreachable: ECONNREFUSED/);
  });

  it('bad arguments: EX_USAGE (64)', async () => {
    const result = await runCli(['classify-message', '--url', 'not a url'], {}, 'x');
    expect(result.code).toBe(64);
  });
});
