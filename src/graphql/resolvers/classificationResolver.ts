import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Classification as Verdict } from '../../../projections/matcher.js';
import type { Permission } from '../../domain/access.js';
import type { GraphQLContext } from '../context.js';
import { AsOfInput } from '../types/audit.js';
import { BouncePatternRevision } from '../types/bouncePattern.js';
import { Classification, ClassifyInput, PatternTest } from '../types/classification.js';
import { IspRevision } from '../types/isp.js';

@Resolver(() => Classification)
export class ClassificationResolver {
  @Authorized<Permission>('classify')
  @Query(() => Classification, { description: 'The verdict on one SMTP reply. Send the reply as a variable.' })
  classify(
    @Ctx() ctx: GraphQLContext,
    @Arg('reply', () => String, {
      description: 'The SMTP reply as received (multi-line allowed; cut at 4,096 characters).',
    })
    reply: string,
    @Arg('recipient', () => String, { nullable: true, description: 'Recipient address or domain, to find the ISP.' })
    recipient?: string,
    @Arg('ispId', () => ID, { nullable: true, description: 'Explicit ISP; wins over the recipient.' }) ispId?: string,
    @Arg('asOf', () => AsOfInput, {
      nullable: true,
      description:
        'Answer with the rules of a past moment (needs the readAudit permission); rulesetVersion is then that position.',
    })
    asOf?: AsOfInput,
  ): Verdict | Promise<Verdict> {
    const request = { reply, recipient, ispId };
    return asOf
      ? ctx.services.classifier.classifyAsOf(request, asOf, ctx.principal?.role ?? null)
      : ctx.services.classifier.classify(request);
  }

  @Authorized<Permission>('classify')
  @Query(() => [Classification], { description: 'Verdicts on many replies at once, in the order given.' })
  classifyBatch(
    @Ctx() ctx: GraphQLContext,
    @Arg('items', () => [ClassifyInput], { description: 'The replies (at most 1,000).' }) items: ClassifyInput[],
  ): Promise<Verdict[]> {
    return ctx.services.classifier.classifyBatch(items);
  }

  @Authorized<Permission>('testPatterns')
  @Query(() => PatternTest, { description: 'Try a pattern on sample replies before saving it.' })
  testPattern(
    @Ctx() ctx: GraphQLContext,
    @Arg('pattern', () => String, { description: 'The regular expression to try (RE2 syntax).' }) pattern: string,
    @Arg('samples', () => [String], { description: 'Sample replies (at most 100).' }) samples: string[],
    @Arg('ispId', () => ID, { nullable: true, description: 'The ISP the pattern would apply to.' }) ispId?: string,
  ) {
    return ctx.services.classifier.testPattern(pattern, ispId ?? null, samples);
  }

  @FieldResolver(() => BouncePatternRevision, {
    nullable: true,
    description: 'The pattern that matched, as it stood when the rules were built.',
  })
  pattern(@Root() verdict: Verdict) {
    return verdict.rule;
  }

  @FieldResolver(() => IspRevision, {
    nullable: true,
    description: 'The ISP the reply was attributed to, as it stood when the rules were built.',
  })
  isp(@Root() verdict: Verdict) {
    return verdict.isp;
  }
}
