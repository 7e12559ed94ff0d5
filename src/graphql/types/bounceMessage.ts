import { Field, ObjectType, registerEnumType } from 'type-graphql';
import type { BounceAction, BounceFormat } from '../../domain/bounceMessage/report.js';
import { Classification } from './classification.js';

export const BounceFormatEnum = {
  DSN: 'DSN',
  POSTFIX: 'POSTFIX',
  EXIM: 'EXIM',
  QMAIL: 'QMAIL',
  SENDMAIL: 'SENDMAIL',
  EXCHANGE: 'EXCHANGE',
  DOMINO: 'DOMINO',
} as const satisfies Record<BounceFormat, BounceFormat>;
registerEnumType(BounceFormatEnum, {
  name: 'BounceFormat',
  description: 'Where the recipients were read from.',
  valuesConfig: {
    DSN: { description: 'An RFC 3464 delivery status notification (multipart/report), whatever MTA wrote it.' },
    POSTFIX: { description: "Postfix's human-readable text." },
    EXIM: { description: "Exim's human-readable text." },
    QMAIL: { description: 'qmail-send\'s "failure notice".' },
    SENDMAIL: { description: "Sendmail's human-readable text." },
    EXCHANGE: { description: 'An Exchange or Office 365 non-delivery report without a machine-readable part.' },
    DOMINO: { description: 'A Lotus/HCL Domino non-delivery report.' },
  },
});

export const BounceActionEnum = { FAILED: 'failed', DELAYED: 'delayed' } as const;
registerEnumType(BounceActionEnum, {
  name: 'BounceAction',
  description: 'RFC 3464 Action: failed (given up) or delayed (still trying).',
  valuesConfig: {
    FAILED: { description: 'The MTA gave up on the recipient.' },
    DELAYED: { description: 'The MTA is still trying: a warning, not a failure.' },
  },
});

@ObjectType({ description: 'One recipient a bounce message reports as failed or delayed.' })
export class BouncedRecipient {
  @Field({ description: 'The recipient address the bounce names.' }) recipient!: string;
  @Field(() => BounceActionEnum, { description: 'Failed or delayed.' }) action!: BounceAction;
  @Field(() => String, { nullable: true, description: 'RFC 3463 enhanced status code, e.g. 5.1.1.' })
  status!: string | null;
  @Field(() => String, { nullable: true, description: 'The server that refused, as the bounce names it.' })
  remoteMta!: string | null;
  @Field(() => String, { nullable: true, description: 'The reply or reason as the bounce states it.' })
  diagnostic!: string | null;
  @Field(() => Classification, {
    description: 'classify on the diagnostic (led by the status when the text has no code), ISP from the recipient.',
  })
  classification!: Classification;
}

@ObjectType({
  description: "classifyMessage's answer: the bounce's recipients with their verdicts, or why it is none.",
})
export class MessageClassification {
  @Field({ description: 'false: the message is no bounce (see reason).' }) isBounce!: boolean;
  @Field(() => BounceFormatEnum, { nullable: true, description: 'How the recipients were read; null for no bounce.' })
  format!: BounceFormat | null;
  @Field(() => String, { nullable: true, description: 'Why the message is no bounce; null for a bounce.' })
  reason!: string | null;
  @Field(() => String, { nullable: true, description: 'The MTA that wrote the bounce.' })
  reportingMta!: string | null;
  @Field(() => [BouncedRecipient], {
    description: 'Each failed or delayed recipient, in the order the bounce lists them.',
  })
  recipients!: BouncedRecipient[];
}
