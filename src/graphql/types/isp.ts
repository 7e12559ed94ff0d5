import { DateTimeResolver } from 'graphql-scalars';
import { Connection } from './connection.js';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { Origin } from '../../domain/types.js';
import { OriginEnum } from './common.js';

@ObjectType({ description: 'A mailbox provider, recognised by the recipient domains it serves.' })
export class Isp {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => [String], { description: 'Recipient domains, lower case; a domain belongs to one ISP at most.' })
  domains!: readonly string[];
  @Field(() => OriginEnum) origin!: Origin;
  @Field(() => Int) version!: number;
  @Field() deleted!: boolean;
  @Field(() => DateTimeResolver) createdAt!: string;
  @Field(() => DateTimeResolver) updatedAt!: string;
}

@ObjectType()
export class IspConnection extends Connection(Isp, 'Isp', 'ISPs') {}

@InputType()
export class CreateIspInput {
  @Field() name!: string;
  @Field(() => [String]) domains!: string[];
}

@InputType()
export class EditIspInput {
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => [String], { nullable: true }) domains?: string[];
}

@ObjectType()
export class IspPayload {
  @Field(() => Isp) isp!: Isp;
}
