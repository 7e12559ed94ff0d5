import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { type ClassifiedMessage, classifyBounceMessage } from '../../app/bounceMessages.js';
import type { Permission } from '../../domain/access.js';
import type { GraphQLContext } from '../context.js';
import { MessageClassification } from '../types/bounceMessage.js';

@Resolver()
export class BounceMessageResolver {
  @Authorized<Permission>('classify')
  @Query(() => MessageClassification, {
    description:
      'A whole bounce message (RFC 3464 DSN, or the text of Postfix, Exim, qmail, Sendmail, Exchange, Domino): every failed recipient with the verdict on its reply. Send the message as a variable.',
  })
  classifyMessage(
    @Ctx() ctx: GraphQLContext,
    @Arg('message', () => String, { description: 'The whole bounce message (headers and body), at most 512 KiB.' })
    message: string,
  ): Promise<ClassifiedMessage> {
    return classifyBounceMessage(ctx.services.classifier, message);
  }
}
