import { DateTimeResolver } from 'graphql-scalars';
import { Connection } from './connection.js';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { Origin } from '../../domain/types.js';
import { OriginEnum } from './common.js';
import { Node } from './node.js';

/** The fields an ISP has at any version: shared by the live ISP and its revisions. */
@ObjectType()
abstract class IspFieldsType {
  @Field({ description: 'The provider\'s name, e.g. "Gmail".' }) name!: string;
  @Field(() => [String], { description: 'Recipient domains, lower case; a domain belongs to one ISP at most.' })
  domains!: readonly string[];
  @Field(() => OriginEnum, { description: 'Shipped with the service, or created by an operator.' }) origin!: Origin;
  @Field({ description: 'Deleted ISPs are kept in the log.' }) deleted!: boolean;
  @Field(() => DateTimeResolver, { description: 'When the ISP was created.' }) createdAt!: string;
}

@ObjectType({ implements: Node, description: 'A mailbox provider, recognised by the recipient domains it serves.' })
export class Isp extends IspFieldsType {
  @Field(() => ID, { description: 'The ISP id (a slug for shipped ISPs), unique among all objects.' }) id!: string;
  @Field(() => Int, { description: 'Stream version: send it back as expectedVersion to edit or delete.' })
  version!: number;
  @Field(() => DateTimeResolver, { description: 'When the ISP last changed.' }) updatedAt!: string;
}

@ObjectType({
  implements: Node,
  description: 'An ISP as it stood at one version: a past state with an id of its own (`<ispId>@<version>`).',
})
export class IspRevision extends IspFieldsType {
  @Field(() => ID, { description: 'The revision: `<ispId>@<version>`.' }) id!: string;
  @Field(() => ID, { description: 'The id of the ISP this is a revision of.' }) ispId!: string;
  @Field(() => Int, { description: 'The version this revision is.' }) version!: number;
  @Field(() => DateTimeResolver, { description: 'When this version was made.' }) updatedAt!: string;
}

@ObjectType({ description: 'A page of ISPs.' })
export class IspConnection extends Connection(Isp, 'Isp', 'ISPs') {}

@InputType({ description: 'A new ISP.' })
export class CreateIspInput {
  @Field({ description: "The provider's name (at most 200 characters)." }) name!: string;
  @Field(() => [String], { description: "Its recipient domains (at most 500), none of them another ISP's." })
  domains!: string[];
}

@InputType({ description: 'Only the fields given are changed.' })
export class EditIspInput {
  @Field(() => String, { nullable: true, description: 'A new name; null or absent: unchanged.' }) name?: string | null;
  @Field(() => [String], { nullable: true, description: 'The whole new list of domains; null or absent: unchanged.' })
  domains?: string[] | null;
}

@ObjectType({ description: 'What an ISP mutation answers.' })
export class IspPayload {
  @Field(() => Isp, { description: 'The ISP as the mutation left it, with its new version.' }) isp!: Isp;
}
