import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ROLES, type Role } from '../../domain/access.js';

export const RoleEnum = Object.fromEntries(ROLES.map((r) => [r.toUpperCase(), r])) as {
  [K in Role as Uppercase<K>]: K;
};
registerEnumType(RoleEnum, {
  name: 'Role',
  valuesConfig: {
    ADMIN: { description: 'Everything, including ISPs and tokens.' },
    EDITOR: { description: 'Read and edit bounce patterns; classify and test patterns.' },
    VIEWER: { description: 'Read the rules; classify.' },
    AUDITOR: { description: 'Read the rules, the audit trail and the rules at any past moment; classify.' },
    MTA: { description: 'classify and classifyBatch only.' },
  },
});

@ObjectType({ description: 'An API token; its secret is shown once, when it is created.' })
export class ApiToken {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => RoleEnum) role!: Role;
  @Field() revoked!: boolean;
  @Field(() => DateTimeResolver) createdAt!: string;
  @Field(() => DateTimeResolver) updatedAt!: string;
}

@InputType()
export class CreateApiTokenInput {
  @Field({
    description: 'What the token is for, e.g. "mta-1" or "alice (admin UI)"; recorded as the actor of its changes.',
  })
  name!: string;
  @Field(() => RoleEnum) role!: Role;
}

@ObjectType()
export class CreateApiTokenPayload {
  @Field(() => ApiToken) token!: ApiToken;
  @Field({ description: 'The bearer secret. Shown this once: only its hash is kept.' }) secret!: string;
}

@ObjectType()
export class RevokeApiTokenPayload {
  @Field(() => ApiToken) token!: ApiToken;
}
