import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { PERMISSIONS, ROLES, type Permission, type Role } from '../../domain/access.js';
import { enumOf } from './common.js';

export const RoleEnum = Object.fromEntries(ROLES.map((r) => [r.toUpperCase(), r])) as {
  [K in Role as Uppercase<K>]: K;
};
registerEnumType(RoleEnum, {
  name: 'Role',
  description: 'What an API token may do; the README lists the operations of each role.',
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
  @Field(() => ID, { description: 'The token id (the actor id of its changes).' }) id!: string;
  @Field({ description: 'What the token is for.' }) name!: string;
  @Field(() => RoleEnum, { description: 'What it may do.' }) role!: Role;
  @Field({ description: 'A revoked token is refused.' }) revoked!: boolean;
  @Field(() => DateTimeResolver, { description: 'When it was created.' }) createdAt!: string;
  @Field(() => DateTimeResolver, { description: 'When it last changed (its revocation).' }) updatedAt!: string;
}

@InputType({ description: 'A new API token.' })
export class CreateApiTokenInput {
  @Field({
    description: 'What the token is for, e.g. "mta-1" or "alice (admin UI)"; recorded as the actor of its changes.',
  })
  name!: string;
  @Field(() => RoleEnum, { description: 'What it may do.' }) role!: Role;
}

@ObjectType({ description: 'What createApiToken answers: the token and, this once, its secret.' })
export class CreateApiTokenPayload {
  @Field(() => ApiToken, { description: 'The new token.' }) token!: ApiToken;
  @Field({ description: 'The bearer secret. Shown this once: only its hash is kept.' }) secret!: string;
}

@ObjectType({ description: 'What revokeApiToken answers.' })
export class RevokeApiTokenPayload {
  @Field(() => ApiToken, { description: 'The token, now revoked.' }) token!: ApiToken;
}

export const PermissionEnum = enumOf(Object.keys(PERMISSIONS) as Permission[]);
registerEnumType(PermissionEnum, {
  name: 'Permission',
  description: 'What a role may do; the README lists the operations each permission covers.',
  valuesConfig: {
    classify: { description: 'classify, classifyBatch.' },
    readRules: { description: 'Read bounce patterns and ISPs.' },
    testPatterns: { description: 'testPattern.' },
    editPatterns: { description: 'Create, edit, delete, revert and restore bounce patterns.' },
    editIsps: { description: 'Create, edit and delete ISPs.' },
    readAudit: { description: 'The audit log, histories, revisions, the rules at past moments.' },
    manageTokens: { description: 'Create, list and revoke API tokens.' },
  } satisfies Record<Permission, { description: string }>,
});

@ObjectType({ description: 'Who a request acts as: its token, and what the token may do.' })
export class Viewer {
  @Field(() => ID, { description: 'The token id (the actor id of its changes).' }) id!: string;
  @Field({ description: 'The token name.' }) name!: string;
  @Field(() => RoleEnum, { description: 'The token role.' }) role!: Role;
  @Field(() => [PermissionEnum], { description: 'Every permission the role holds.' }) permissions!: Permission[];
}
