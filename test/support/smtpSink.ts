import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** The reply a receiving server gives a recipient: at RCPT TO, or after the message (end of DATA). */
export interface ChosenReply {
  readonly code: number;
  /** Text after the code; a line break makes it a multi-line reply. */
  readonly text: string;
  readonly stage?: 'rcpt' | 'data';
}

export interface ReplySink {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A receiving SMTP server on loopback that answers each recipient with the reply chosen for its address
 * (accepting the others): what the MTAs under test relay to.
 */
export async function startReplySink(replies: Readonly<Record<string, ChosenReply>>): Promise<ReplySink> {
  const refusal = (reply: ChosenReply) => Object.assign(new Error(reply.text), { responseCode: reply.code });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    hideENHANCEDSTATUSCODES: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      const reply = replies[address.address.toLowerCase()];
      callback(reply && (reply.stage ?? 'rcpt') === 'rcpt' ? refusal(reply) : undefined);
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.once('end', () => {
        const reply = session.envelope.rcptTo
          .map((rcpt) => replies[rcpt.address.toLowerCase()])
          .find((chosen) => chosen?.stage === 'data');
        callback(reply ? refusal(reply) : null);
      });
    },
  });
  // An MTA under test may reset a connection (Haraka does when it shuts down); smtp-server reports that
  // as an 'error' event, which without a listener would end the test run. What matters is asserted on
  // the verdicts.
  server.on('error', () => {});
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
