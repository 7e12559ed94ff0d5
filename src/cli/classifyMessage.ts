import { UsageError } from './usageError.js';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type ClassifiedMessage, classifyBounceMessage } from '../app/bounceMessages.js';
import { Audit } from '../app/audit.js';
import { Classifier } from '../app/classifier.js';
import { ProjectionRunner } from '../app/projectionRunner.js';
import { MESSAGE_LIMITS } from '../domain/bounceMessage/parse.js';
import { MessageLimitError, ValidationError } from '../domain/errors.js';
import { openConfiguredStore, toJson, withStore } from './stores.js';

export const usage =
  'classify-message [--url <GraphQL URL> (--token-file <file> | BOUNCE_PATTERNS_TOKEN)] [--timeout <s>]   a bounce on stdin → one JSON line per failed recipient (without --url: the store, directly)';

/**
 * sysexits(3), what pipe transports read: 0 done, EX_DATAERR the message itself is unreadable (retrying
 * cannot help), EX_TEMPFAIL anything an operator can fix (service down, a bad token, the store busy),
 * so the MTA keeps the bounce queued instead of losing it.
 */
export const EXIT = { ok: 0, usage: 64, dataErr: 65, tempFail: 75 } as const;

const QUERY = `query ClassifyMessage($message: String!) {
  classifyMessage(message: $message) {
    isBounce format reason reportingMta
    recipients {
      recipient action status remoteMta diagnostic
      classification { type matchedBy message replyCode enhancedStatusCode rulesetVersion pattern { id: patternId name } isp { id: ispId name } }
    }
  }
}`;

class Refused extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export async function run(args: string[]): Promise<number> {
  let options: { url?: string; token: string | null; timeoutMs: number };
  try {
    options = optionsFrom(args);
  } catch (error) {
    if (error instanceof Refused) {
      console.error(`classify-message: ${error.message}`);
      return error.exitCode;
    }
    console.error(`classify-message: ${(error as Error).message}\nusage: ${usage}`);
    return EXIT.usage;
  }
  try {
    const message = boundedMessage(readFileSync(0));
    const answer = options.url
      ? await throughApi(options.url, options.token, options.timeoutMs, message)
      : await againstStore(message);
    for (const line of jsonLines(answer)) process.stdout.write(`${line}\n`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof Refused) {
      console.error(`classify-message: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof ValidationError || error instanceof MessageLimitError) {
      console.error(`classify-message: ${error.message}`);
      return EXIT.dataErr;
    }
    console.error(`classify-message: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.tempFail;
  }
}

function optionsFrom(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { url: { type: 'string' }, 'token-file': { type: 'string' }, timeout: { type: 'string' } },
  });
  const timeout = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError('--timeout takes a number of seconds');
  // A token on the command line would show in `ps`: a file or the environment instead.
  const token = values['token-file'] ? tokenFrom(values['token-file']) : (process.env.BOUNCE_PATTERNS_TOKEN ?? null);
  if (values.url !== undefined && !/^https?:\/\//.test(values.url)) throw new UsageError('--url takes an http(s) URL');
  return { url: values.url, token, timeoutMs: timeout * 1000 };
}

/** A token file the pipe's user cannot read is a setting to fix: the bounce waits in the queue meanwhile. */
function tokenFrom(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new Refused(EXIT.tempFail, `cannot read the token file: ${(error as Error).message}`);
  }
}

/**
 * The report comes first in a bounce and the returned original last: a message over the limit is cut at
 * the last line break that fits, so a bounce carrying a big attachment is still read.
 */
function boundedMessage(input: Buffer): string {
  const limit = MESSAGE_LIMITS.bytes;
  let text = input.subarray(0, limit + 1).toString('utf8');
  while (Buffer.byteLength(text) > limit) {
    const cut = text.lastIndexOf('\n', text.length - Math.max(1, Buffer.byteLength(text) - limit));
    text = cut > 0 ? text.slice(0, cut + 1) : text.slice(0, Math.floor(text.length / 2));
  }
  if (input.length > limit) console.error(`classify-message: message cut to ${Buffer.byteLength(text)} bytes`);
  return text;
}

async function againstStore(message: string): Promise<ClassifiedMessage> {
  let store: Awaited<ReturnType<typeof openConfiguredStore>>;
  try {
    store = await openConfiguredStore();
  } catch (error) {
    throw new Refused(EXIT.tempFail, `the event store cannot be opened: ${(error as Error).message}`);
  }
  return withStore(store, async () => {
    const runner = new ProjectionRunner(store);
    await runner.start();
    try {
      // An empty log has no rules: every verdict would be a fallback. Keep the bounce queued instead.
      if (runner.checkpoint === null)
        throw new Refused(EXIT.tempFail, 'the event store holds no rules yet: start the service once to install them');
      return await classifyBounceMessage(new Classifier(runner, new Audit(store, runner)), message);
    } finally {
      await runner.stop();
    }
  });
}

interface GraphQLAnswer {
  data?: { classifyMessage: ClassifiedMessage } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function throughApi(url: string, token: string | null, timeoutMs: number, message: string) {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: QUERY, variables: { message } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Refused(EXIT.tempFail, `the service at ${url} is unreachable: ${cause?.code ?? cause?.message ?? error}`);
  }
  if (response.status === 413) throw new Refused(EXIT.dataErr, 'the service refused the message as too large');
  const answer = (await response.json().catch(() => null)) as GraphQLAnswer | null;
  const error = answer?.errors?.[0];
  if (error) {
    const code = error.extensions?.code ?? 'UNKNOWN';
    const bad = code === 'BAD_USER_INPUT' || code.startsWith('MESSAGE_');
    throw new Refused(bad ? EXIT.dataErr : EXIT.tempFail, `${code}: ${error.message}`);
  }
  if (!response.ok || !answer?.data)
    throw new Refused(EXIT.tempFail, `the service answered HTTP ${response.status} without a verdict`);
  return answer.data.classifyMessage;
}

/** One line per failed recipient; one line with the reason for a message that is no bounce. */
function jsonLines(answer: ClassifiedMessage): string[] {
  if (!answer.isBounce) return [toJson({ isBounce: false, reason: answer.reason })];
  return answer.recipients.map(({ classification: verdict, ...recipient }) =>
    toJson({
      ...recipient,
      action: recipient.action.toLowerCase(),
      format: answer.format,
      type: verdict.type,
      matchedBy: verdict.matchedBy,
      message: verdict.message,
      pattern: patternOf(verdict),
      isp: verdict.isp ? { id: verdict.isp.id, name: verdict.isp.name } : null,
      rulesetVersion: verdict.rulesetVersion,
    }),
  );
}

/** In process the verdict holds its pattern as `rule`; over the API as `pattern`. */
function patternOf(verdict: ClassifiedMessage['recipients'][number]['classification']) {
  const rule = verdict.rule ?? (verdict as { pattern?: { id: string; name: string } | null }).pattern ?? null;
  return rule === null ? null : { id: rule.id, name: rule.name };
}
