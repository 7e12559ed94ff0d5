import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Classification as Verdict } from '../../../projections/matcher.js';
import { allows, type Permission } from '../../domain/access.js';
import { ForbiddenError } from '../../domain/errors.js';
import type { GraphQLContext } from '../context.js';
import { AsOfInput } from '../types/audit.js';
import { BouncePattern } from '../types/bouncePattern.js';
import { Classification, ClassifyInput, PatternTest } from '../types/classification.js';
import { Isp } from '../types/isp.js';

@Resolver(() => Classification)
export class ClassificationResolver {
  @Authorized<Permission>('classify')
  @Query(() => Classification, { description: 'The verdict on one SMTP reply. Send the reply as a variable.' })
  classify(
    @Ctx() ctx: GraphQLContext,
    @Arg('reply', () => String) reply: string,
    @Arg('recipient', () => String, { nullable: true }) recipient?: string,
    @Arg('ispId', () => ID, { nullable: true }) ispId?: string,
    @Arg('asOf', () => AsOfInput, {
      nullable: true,
      description:
        'Answer with the rules of a past moment (needs the readAudit permission); rulesetVersion is then that position.',
    })
    asOf?: AsOfInput,
  ): Verdict | Promise<Verdict> {
    // Synchronous without asOf: the MTA's hot path pays for no promise.
    if (!asOf) return ctx.services.classifier.classify({ reply, recipient, ispId });
    if (!ctx.principal || !allows(ctx.principal.role, 'readAudit'))
      throw new ForbiddenError('classify asOf reads the audit trail: it needs the readAudit permission');
    return ctx.services.audit
      .matcherAsOf(asOf)
      .then((matcher) => ctx.services.classifier.classify({ reply, recipient, ispId }, matcher));
  }

  @Authorized<Permission>('classify')
  @Query(() => [Classification], { description: 'Verdicts on many replies at once, in the order given.' })
  classifyBatch(
    @Ctx() ctx: GraphQLContext,
    @Arg('items', () => [ClassifyInput]) items: ClassifyInput[],
  ): Promise<Verdict[]> {
    return ctx.services.classifier.classifyBatch(items);
  }

  @Authorized<Permission>('testPatterns')
  @Query(() => PatternTest, { description: 'Try a pattern on sample replies before saving it.' })
  testPattern(
    @Ctx() ctx: GraphQLContext,
    @Arg('pattern', () => String) pattern: string,
    @Arg('samples', () => [String]) samples: string[],
    @Arg('ispId', () => ID, { nullable: true }) ispId?: string,
  ) {
    return ctx.services.classifier.testPattern(pattern, ispId ?? null, samples);
  }

  @FieldResolver(() => BouncePattern, { nullable: true, description: 'The pattern that matched, as it stood then.' })
  pattern(@Root() verdict: Verdict) {
    return verdict.rule;
  }

  @FieldResolver(() => Isp, { nullable: true, description: 'The ISP the reply was attributed to.' })
  isp(@Root() verdict: Verdict) {
    return verdict.isp;
  }
}
