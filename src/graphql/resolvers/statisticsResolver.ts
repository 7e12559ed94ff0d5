import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type { BouncePatternRow } from '../../../projections/bouncePatternList.js';
import type { Explanation } from '../../../projections/explain.js';
import type { Permission } from '../../domain/access.js';
import type { HitRow } from '../../statistics/port.js';
import type { GraphQLContext } from '../context.js';
import { asFullPage } from '../limits.js';
import { changesOf } from './commandContext.js';
import { PageArgs } from '../types/args.js';
import { RuleChangePreview } from '../types/preview.js';
import { AsOfInput } from '../types/audit.js';
import { BouncePattern } from '../types/bouncePattern.js';
import { connectionOf } from '../types/connection.js';
import {
  ClassificationExplanation,
  HitBucket,
  HitTotals,
  PatternHits,
  RuleChangeInput,
  UnmatchedReplyConnection,
  UnmatchedReplyFilter,
} from '../types/statistics.js';

@ArgsType()
class UnmatchedRepliesArgs extends PageArgs {
  @Field(() => UnmatchedReplyFilter, { nullable: true, description: 'Which groups; all when absent.' })
  filter?: UnmatchedReplyFilter | null;
}

const bucket = (row: HitRow): HitBucket => ({ start: new Date(row.start!), count: row.count });

@Resolver(() => BouncePattern)
export class PatternHitsResolver {
  @FieldResolver(() => PatternHits, {
    description: 'How often the pattern decided a reply, within the statistics retention.',
  })
  async hits(@Root() row: BouncePatternRow, @Ctx() ctx: GraphQLContext): Promise<PatternHits> {
    await ctx.services.statistics.freshTotals();
    const { total, lastHitAt } = ctx.services.statistics.patternHits(row.id);
    return { patternId: row.id, total, lastHitAt: lastHitAt === null ? null : new Date(lastHitAt) };
  }
}

@Resolver(() => PatternHits)
export class HitBucketsResolver {
  @FieldResolver(() => [HitBucket], {
    description: 'Hits per hour over the last two days (flushed counts), oldest first.',
    complexity: asFullPage,
  })
  async hourly(@Root() hits: PatternHits, @Ctx() ctx: GraphQLContext): Promise<HitBucket[]> {
    return (await ctx.services.statistics.patternBuckets(hits.patternId)).hourly.map(bucket);
  }

  @FieldResolver(() => [HitBucket], {
    description: 'Hits per day over the retention period (flushed counts), oldest first.',
    complexity: asFullPage,
  })
  async daily(@Root() hits: PatternHits, @Ctx() ctx: GraphQLContext): Promise<HitBucket[]> {
    return (await ctx.services.statistics.patternBuckets(hits.patternId)).daily.map(bucket);
  }
}

@Resolver()
export class StatisticsResolver {
  @Authorized<Permission>('readRules')
  @Query(() => HitTotals, { description: 'What classify answered, by verdict and by ISP (flushed counts).' })
  async hitTotals(
    @Ctx() ctx: GraphQLContext,
    @Arg('since', () => DateTimeResolver, { nullable: true, description: 'Only buckets from this moment on.' })
    since?: Date | null,
  ): Promise<HitTotals> {
    const totals = await ctx.services.statistics.totalsSince(since?.getTime());
    return {
      byVerdict: totals.byVerdict.map((row) => ({ type: row.type!, matchedBy: row.matchedBy!, count: row.count })),
      byIsp: totals.byIsp.map((row) => ({ ispId: row.ispId ?? null, type: row.type!, count: row.count })),
    };
  }

  @Authorized<Permission>('readRules')
  @Query(() => UnmatchedReplyConnection, {
    description: 'Replies no pattern caught (the rules that are missing), grouped by masked template, most seen first.',
  })
  async unmatchedReplies(@Ctx() ctx: GraphQLContext, @Args() { filter, ...page }: UnmatchedRepliesArgs) {
    const groups = await ctx.services.insight.unmatched(filter ?? {}, page);
    return connectionOf({
      ...groups,
      nodes: groups.nodes.map((g) => ({
        ...g,
        firstSeenAt: new Date(g.firstSeenAt),
        lastSeenAt: new Date(g.lastSeenAt),
      })),
    });
  }

  @Authorized<Permission>('readRules')
  @Query(() => ClassificationExplanation, {
    description: 'Why classify gives its verdict on a reply: ISP, rules tried in order, fallback. Counts no hit.',
  })
  async explainClassification(
    @Ctx() ctx: GraphQLContext,
    @Arg('reply', () => String, { description: 'The SMTP reply, as the receiving server sent it.' }) reply: string,
    @Arg('recipient', () => String, { nullable: true, description: 'Recipient address or domain, to find the ISP.' })
    recipient?: string | null,
    @Arg('ispId', () => ID, { nullable: true, description: 'Explicit ISP; wins over the recipient.' })
    ispId?: string | null,
    @Arg('asOf', () => AsOfInput, {
      nullable: true,
      description: 'Explain with the rules of a past moment (needs the readAudit permission).',
    })
    asOf?: AsOfInput | null,
  ): Promise<ClassificationExplanation> {
    const explained = await ctx.services.insight.explain(
      { reply, recipient, ispId },
      asOf ?? null,
      ctx.principal?.role ?? null,
    );
    return toExplanation(explained);
  }

  @Authorized<Permission>('testPatterns')
  @Query(() => RuleChangePreview, {
    description:
      'Re-classifies the recent sample of replies under the rules with the changes applied, writing nothing: which replies would move from which verdict to which.',
    complexity: asFullPage,
  })
  previewRuleChange(
    @Ctx() ctx: GraphQLContext,
    @Arg('changes', () => [RuleChangeInput], { description: 'The changes, applied in order (at most 100).' })
    changes: RuleChangeInput[],
  ) {
    return ctx.services.insight.preview(
      changes.map((c) => ({ kind: c.kind, id: c.id, fields: c.fields && changesOf(c.fields, ['ispId']) })),
    );
  }
}

function toExplanation(explained: Explanation): ClassificationExplanation {
  return {
    normalisedReply: explained.normalisedReply,
    replyCode: explained.verdict.replyCode,
    enhancedStatusCode: explained.verdict.enhancedStatusCode,
    ispResolution: { ...explained.ispResolution, domainsTried: [...explained.ispResolution.domainsTried] } as never,
    trials: explained.trials.map(({ rule, ...trial }) => ({
      ...trial,
      patternId: rule.id,
      name: rule.name,
      pattern: rule.pattern,
      type: rule.type,
      priority: rule.priority,
      ispId: rule.ispId,
    })),
    rulesWithTextAbsent: explained.rulesWithTextAbsent,
    rulesNotReached: explained.rulesNotReached,
    verdict: explained.verdict as never,
    fallbackReason: explained.fallbackReason,
  };
}
