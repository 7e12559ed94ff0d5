import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'vitest';
import { serviceEnv } from './auth.js';
import { gqlData } from './graphqlClient.js';
import { CREATE_TOKEN } from './queries.js';
import { chosenReplies, type ReplyCase } from './replyCases.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from './serviceProcess.js';
import { type ReplySink, startReplySink } from './smtpSink.js';
import { sendMail } from './smtpSend.js';

/** Never a silent pass: without the MTA the block is reported as skipped, and says why. */
export function describeWithMta(mta: string, unavailable: string | null, title: string, body: () => void): void {
  const skipped = `${mta} integration: skipped — ${unavailable}`;
  if (unavailable) console.warn(skipped);
  (unavailable ? describe.skip : describe)(unavailable ? skipped : title, body);
}

export interface MtaHarness {
  readonly service: ServiceProcess;
  /** An MTA token, in a file the MTA's delivery user (nobody) can read. */
  readonly tokenFile: string;
  /** The receiving server, answering each case's recipient with its reply. */
  readonly sink: ReplySink;
  stop(): Promise<void>;
}

/** The service, an MTA token and the receiving server an MTA under test relays to. */
export async function startMtaHarness(cases: readonly ReplyCase[]): Promise<MtaHarness> {
  const scratch = scratchDir();
  const service = await startServiceProcess(serviceEnv(scratch.sqlitePath));
  const created = await gqlData(service.url, CREATE_TOKEN, { input: { name: 'mta under test', role: 'MTA' } });
  // Others may cross the scratch folder to read the token, not list it.
  chmodSync(scratch.dir, 0o711);
  const tokenFile = join(scratch.dir, 'mta-token');
  writeFileSync(tokenFile, created.createApiToken.secret, { mode: 0o644 });
  const sink = await startReplySink(chosenReplies(cases));
  return {
    service,
    tokenFile,
    sink,
    stop: async () => {
      await sink.close();
      await service.stop();
      scratch.cleanup();
    },
  };
}

/** One message per case from a sender of `bounces.test`, handed to the MTA on `port`: one bounce each. */
export async function sendEach(port: number, cases: readonly ReplyCase[]): Promise<void> {
  for (const { rcpt } of cases)
    await sendMail(
      port,
      'newsletter@bounces.test',
      [rcpt],
      `From: newsletter@bounces.test\nTo: ${rcpt}\nSubject: news\n\nHello.\n`,
    );
}

/** Polls `probe` until it answers (not null), at most `ms`; fails with `failure()` otherwise. */
export async function waitFor<T>(probe: () => T | null, failure: () => string, ms = 60_000): Promise<T> {
  for (let waited = 0; waited <= ms; waited += 100) {
    const found = probe();
    if (found !== null) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(failure());
}
