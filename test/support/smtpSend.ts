import { once } from 'node:events';
import { createConnection } from 'node:net';

/**
 * Hands one message to an SMTP server on loopback, as a mail client would: EHLO, MAIL, RCPT, DATA.
 * Rejects unless the server accepts the message.
 */
export async function sendMail(port: number, from: string, to: readonly string[], body: string): Promise<void> {
  const socket = createConnection({ port, host: '127.0.0.1' });
  socket.setEncoding('utf8');
  let buffer = '';
  const replies: string[] = [];
  const waiting: ((reply: string) => void)[] = [];
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    // A reply ends with a line whose code is followed by a space.
    for (let end = /^\d{3} .*\r?\n/m.exec(buffer); end; end = /^\d{3} .*\r?\n/m.exec(buffer)) {
      const reply = buffer.slice(0, end.index + end[0].length);
      buffer = buffer.slice(reply.length);
      const waiter = waiting.shift();
      if (waiter) waiter(reply);
      else replies.push(reply);
    }
  });
  const next = () =>
    new Promise<string>((resolve) => (replies.length ? resolve(replies.shift()!) : waiting.push(resolve)));
  const expectReply = async (code: string, command?: string) => {
    if (command !== undefined) socket.write(`${command}\r\n`);
    const reply = await next();
    if (!reply.startsWith(code)) throw new Error(`${command ?? 'greeting'}: ${reply.trim()}`);
  };
  try {
    await once(socket, 'connect');
    await expectReply('220');
    await expectReply('250', 'EHLO client.test');
    await expectReply('250', `MAIL FROM:<${from}>`);
    for (const rcpt of to) await expectReply('250', `RCPT TO:<${rcpt}>`);
    await expectReply('354', 'DATA');
    await expectReply('250', `${body.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..')}\r\n.`);
    await expectReply('221', 'QUIT');
  } finally {
    socket.destroy();
  }
}
