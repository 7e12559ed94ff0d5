import type { ChosenReply } from './smtpSink.js';

export interface ReplyCase {
  readonly kind: string;
  readonly rcpt: string;
  /** What the receiving server answers; none: no server answers at all. */
  readonly reply?: ChosenReply;
  /** The verdict the service must reach from what the MTA reports. */
  readonly type: 'HARD_BOUNCE' | 'SOFT_BOUNCE' | 'BOUNCE';
  readonly isp?: string;
}

/** The replies the MTA integration tests have a receiving server give, one recipient each. */
export const REPLY_CASES: readonly ReplyCase[] = [
  {
    kind: 'user unknown (multi-line, Gmail)',
    rcpt: 'nobody@gmail.com',
    reply: {
      code: 550,
      text: "5.1.1 The email account that you tried to reach does not exist. Please try\n5.1.1 double-checking the recipient's email address for typos.",
    },
    type: 'HARD_BOUNCE',
    isp: 'gmail',
  },
  {
    kind: 'mailbox full',
    rcpt: 'full@example.com',
    reply: { code: 552, text: '5.2.2 Mailbox full: the mailbox of this user is over quota' },
    type: 'SOFT_BOUNCE',
  },
  {
    kind: 'greylisting',
    rcpt: 'grey@example.com',
    reply: { code: 450, text: '4.2.0 Greylisted, please try again in 5 minutes' },
    type: 'SOFT_BOUNCE',
  },
  {
    kind: 'spam block after the message',
    rcpt: 'guarded@example.com',
    reply: { code: 554, text: '5.7.1 Message rejected as spam by Content Filtering', stage: 'data' },
    type: 'BOUNCE',
  },
  {
    kind: 'user unknown, in French',
    rcpt: 'jean@orange.fr',
    reply: { code: 550, text: '5.1.1 Adresse destinataire inconnue' },
    type: 'HARD_BOUNCE',
    isp: 'orange',
  },
];

/** The sink's replies for these cases, keyed by recipient. */
export const chosenReplies = (cases: readonly ReplyCase[]): Record<string, ChosenReply> =>
  Object.fromEntries(cases.flatMap((c) => (c.reply ? [[c.rcpt, c.reply]] : [])));
