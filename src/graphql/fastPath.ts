import {
  type DocumentNode,
  type GraphQLFieldMap,
  type GraphQLOutputType,
  type GraphQLSchema,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  specifiedRules,
  type TypeNode,
  type ValueNode,
  validate,
} from 'graphql';
import type { Principal } from '../app/apiTokens.js';
import { revisionId } from './revisionIds.js';
import { allows } from '../domain/access.js';
import type { Classification, ClassifyRequest } from '../../projections/matcher.js';

/*
 * The MTA's hot path: `classify` and `classifyBatch` documents answered without Apollo's request
 * pipeline and graphql-js's execution. A document is planned once (parsed, validated with the same
 * rules Apollo uses, its selection compiled to a function that completes the result). The request has
 * passed the same checks as any other before it gets here (checkDocument: token, bounds, depth, cost with
 * its variables, nested reads). Whatever the plan does not cover exactly — another field,
 * fragments, directives, `asOf`, variables that need coercing or do not fit, a missing right, an error
 * of any kind — is left to the general path, which then answers as it always has: the fast path only
 * ever answers what the general path would have answered, byte for byte.
 */

/** What the fast path needs of the classifier (src/app/classifier.ts). */
export interface ClassifyService {
  classify(request: ClassifyRequest): Classification;
  /** In slices within a time budget (see src/app/classifier.ts), hence a promise. */
  classifyBatch(requests: readonly ClassifyRequest[]): Promise<Classification[]>;
}

/** A JSON request body as the general path reads it. */
interface RequestBody {
  readonly query?: unknown;
  readonly variables?: unknown;
  readonly operationName?: unknown;
}

/** Reads the request from the variables, or throws DECLINE. */
type Arguments = (variables: Record<string, unknown>) => ClassifyRequest;
/** A value as graphql-js completes it (the JSON-ready result), or throws DECLINE where it would answer otherwise. */
type Writer = (value: unknown) => unknown;

interface Plan {
  readonly batch: boolean;
  readonly responseKey: string;
  readonly single: Arguments | null;
  readonly items: string | null;
  readonly write: Writer;
}

const DECLINE = Symbol('decline');
const decline = (): never => {
  throw DECLINE;
};

/** Documents longer than this are never MTA queries worth planning. */
const MAX_PLANNED_DOCUMENT = 2_000;
const MAX_PLANS = 200;
/** The arguments each field takes on the fast path, with their variable types; `asOf` is left to the general path. */
const CLASSIFY_ARGUMENTS: Record<string, readonly string[]> = {
  reply: ['String!'],
  recipient: ['String', 'String!'],
  ispId: ['ID', 'ID!'],
};
/**
 * Fields read straight from the object (no resolver of their own, no permission of their own): the
 * field name, or the property the general path's resolver returns.
 */
/** How a field is read from its parent value: a property, or what its field resolver computes. */
type FieldRead = string | ((row: Record<string, unknown>) => unknown);

const sameNames = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, name]));
const revisionIdOf = (row: Record<string, unknown>) => revisionId(row.id as string, row.version as number);

const PLAIN_FIELDS: Record<string, Record<string, FieldRead>> = {
  Classification: {
    ...sameNames(['type', 'matchedBy', 'message', 'replyCode', 'enhancedStatusCode', 'rulesetVersion']),
    pattern: 'rule',
    isp: 'isp',
  },
  // As BouncePatternRevisionResolver and IspRevisionResolver resolve them (nodeResolver.ts).
  BouncePatternRevision: {
    ...sameNames([
      'name',
      'type',
      'ispId',
      'pattern',
      'message',
      'priority',
      'enabled',
      'origin',
      'version',
      'deleted',
    ]),
    id: revisionIdOf,
    patternId: 'id',
  },
  IspRevision: { ...sameNames(['name', 'domains', 'origin', 'version', 'deleted']), id: revisionIdOf, ispId: 'id' },
};

export class ClassifyFastPath {
  readonly #plans = new Map<string, Plan | null>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly classifier: ClassifyService,
    /** Hears each answer the fast path gives, with its duration (for /metrics). */
    private readonly observe: (
      operation: 'classify' | 'classifyBatch',
      seconds: number,
      items?: number,
    ) => void = () => {},
  ) {}

  /**
   * The JSON the general path would answer to this request body, or null when the general path must
   * answer it itself. A single reply is answered synchronously; a batch runs in the classifier's time slices.
   */
  answer(body: unknown, principal: Principal | null): string | null | Promise<string | null> {
    if (principal === null || !allows(principal.role, 'classify')) return null;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
    const { query, variables = {}, operationName = null, ...rest } = body as RequestBody;
    if (typeof query !== 'string' || Object.keys(rest).length > 0) return null;
    if (typeof variables !== 'object' || Array.isArray(variables)) return null;
    if (operationName !== null && typeof operationName !== 'string') return null;
    const plan = this.#plan(query, operationName);
    if (plan === null) return null;
    const values = (variables ?? {}) as Record<string, unknown>;
    try {
      if (!plan.batch) {
        const request = plan.single!(values);
        const started = performance.now();
        const answer = respond(plan, this.classifier.classify(request));
        this.observe('classify', (performance.now() - started) / 1_000);
        return answer;
      }
      const items = classifyInputs(values[plan.items!]);
      if (items === null) return null;
      const started = performance.now();
      return this.classifier.classifyBatch(items).then(
        (verdicts) => {
          const answer = respond(plan, verdicts);
          this.observe('classifyBatch', (performance.now() - started) / 1_000, items.length);
          return answer;
        },
        () => null,
      );
    } catch {
      // DECLINE, or the classifier refusing the input: the general path says so.
      return null;
    }
  }

  #document(query: string): DocumentNode {
    return parse(query, { noLocation: true });
  }

  #plan(query: string, operationName: string | null): Plan | null {
    const key = operationName === null ? query : `${operationName}\n${query}`;
    const known = this.#plans.get(key);
    if (known !== undefined) return known;
    const plan = query.length <= MAX_PLANNED_DOCUMENT ? this.#compile(query, operationName) : null;
    if (this.#plans.size >= MAX_PLANS) this.#plans.delete(this.#plans.keys().next().value!);
    this.#plans.set(key, plan);
    return plan;
  }

  #compile(query: string, operationName: string | null): Plan | null {
    let document: DocumentNode;
    try {
      document = this.#document(query);
    } catch {
      return null;
    }
    if (document.definitions.length !== 1) return null;
    const operation = document.definitions[0]!;
    if (operation.kind !== Kind.OPERATION_DEFINITION || operation.operation !== 'query') return null;
    if (operationName !== null && operation.name?.value !== operationName) return null;
    if (
      operation.directives?.length ||
      operation.variableDefinitions?.some((v) => v.defaultValue || v.directives?.length)
    )
      return null;
    if (validate(this.schema, document, specifiedRules).length > 0) return null;
    const root = operation.selectionSet.selections;
    if (root.length !== 1 || root[0]!.kind !== Kind.FIELD) return null;
    const field = root[0]!;
    if (field.directives?.length || !field.selectionSet) return null;
    const name = field.name.value;
    const queryType = this.schema.getQueryType()!;
    const write = writerOf(queryType.getFields()[name]?.type, field.selectionSet);
    if (write === null) return null;
    const responseKey = field.alias?.value ?? name;
    if (responseKey === '__proto__') return null;
    const variableTypes = variableTypesOf(operation);
    if (name === 'classify') {
      const single = argumentsOf(field.arguments ?? [], variableTypes);
      return single && { batch: false, responseKey, single, items: null, write };
    }
    if (name === 'classifyBatch') {
      const items = field.arguments?.length === 1 ? field.arguments[0]!.value : null;
      if (items?.kind !== Kind.VARIABLE || variableTypes.get(items.name.value) !== '[ClassifyInput!]!') return null;
      return { batch: true, responseKey, single: null, items: items.name.value, write };
    }
    return null;
  }
}

function variableTypesOf(operation: OperationDefinitionNode): Map<string, string> {
  const types = new Map<string, string>();
  for (const definition of operation.variableDefinitions ?? []) {
    types.set(definition.variable.name.value, printType(definition.type));
  }
  return types;
}

function printType(type: TypeNode): string {
  if (type.kind === Kind.NAMED_TYPE) return type.name.value;
  return type.kind === Kind.NON_NULL_TYPE ? `${printType(type.type)}!` : `[${printType(type.type)}]`;
}

/**
 * How `classify`'s arguments are read from the variables: each a string literal, a null literal or a
 * variable of a type the fast path reads without coercion; anything else is left to the general path.
 */
function argumentsOf(
  nodes: readonly { name: { value: string }; value: ValueNode }[],
  variableTypes: ReadonlyMap<string, string>,
): Arguments | null {
  const readers: [string, (variables: Record<string, unknown>) => unknown][] = [];
  for (const { name, value } of nodes) {
    const types = CLASSIFY_ARGUMENTS[name.value];
    if (types === undefined) return null;
    if (value.kind === Kind.STRING) readers.push([name.value, () => value.value]);
    else if (value.kind === Kind.NULL && !types[0]!.endsWith('!')) readers.push([name.value, () => null]);
    else if (value.kind === Kind.VARIABLE && types.includes(variableTypes.get(value.name.value) ?? '')) {
      const variable = value.name.value;
      const required = variableTypes.get(variable)!.endsWith('!');
      readers.push([name.value, (variables) => stringOrDecline(variables[variable], !required)]);
    } else return null;
  }
  if (!readers.some(([name]) => name === 'reply')) return null;
  return (variables) => {
    const request: Record<string, unknown> = {};
    for (const [name, read] of readers) request[name] = read(variables);
    return request as unknown as ClassifyRequest;
  };
}

function stringOrDecline(value: unknown, nullable: boolean): string | null | undefined {
  if (typeof value === 'string') return value;
  if (nullable && (value === null || value === undefined)) return value;
  return decline();
}

const INPUT_FIELDS = new Set(['reply', 'recipient', 'ispId']);

/** `[ClassifyInput!]!` variables that need no coercion: objects of strings (nulls for the optional ones). */
function classifyInputs(value: unknown): ClassifyRequest[] | null {
  if (!Array.isArray(value)) return null;
  for (const item of value) {
    if (typeof item !== 'object' || item === null || Array.isArray(item) || typeof item.reply !== 'string') return null;
    for (const key in item) {
      if (!INPUT_FIELDS.has(key)) return null;
      const field = item[key];
      if (typeof field !== 'string' && !(key !== 'reply' && field === null)) return null;
    }
  }
  return value as ClassifyRequest[];
}

/** The body Apollo sends: one JSON.stringify of the whole result, then a line break. */
function respond(plan: Plan, verdicts: unknown): string {
  return `${JSON.stringify({ data: { [plan.responseKey]: plan.write(verdicts) } })}\n`;
}

/**
 * What graphql-js completes for `type` with this selection: leaves through the schema's own
 * serializers; a missing non-null value declines (the general path reports it).
 */
function writerOf(type: GraphQLOutputType | undefined, selection: SelectionSetNode | undefined): Writer | null {
  if (type === undefined) return null;
  if (isNonNullType(type)) {
    const inner = writerOf(type.ofType, selection);
    return inner && ((value) => (value === null || value === undefined ? decline() : inner(value)));
  }
  let write: Writer | null;
  if (isListType(type)) {
    const item = writerOf(type.ofType, selection);
    write = item && ((value) => (Array.isArray(value) ? value.map((element) => item(element)) : decline()));
  } else if (isScalarType(type) || isEnumType(type)) {
    if (selection !== undefined) return null;
    write = (value) => {
      const serialized = type.serialize(value);
      return serialized === null || serialized === undefined ? decline() : serialized;
    };
  } else if (isObjectType(type) && selection !== undefined) {
    write = objectWriter(type.name, type.getFields(), selection);
  } else return null;
  return write && ((value) => (value === null || value === undefined ? null : write(value)));
}

function objectWriter(
  typeName: string,
  fields: GraphQLFieldMap<unknown, unknown>,
  selection: SelectionSetNode,
): Writer | null {
  const plain = PLAIN_FIELDS[typeName];
  if (plain === undefined) return null;
  const parts: { key: string; property: FieldRead | null; write: Writer | null }[] = [];
  const keys = new Set<string>();
  for (const node of selection.selections) {
    if (node.kind !== Kind.FIELD || node.directives?.length || node.arguments?.length) return null;
    const key = node.alias?.value ?? node.name.value;
    // A repeated response key is merged by graphql-js, not worth a plan; `__proto__` is no plain key.
    if (keys.has(key) || key === '__proto__') return null;
    keys.add(key);
    if (node.name.value === '__typename') {
      parts.push({ key, property: null, write: null });
      continue;
    }
    const property = Object.hasOwn(plain, node.name.value) ? plain[node.name.value]! : undefined;
    if (property === undefined) return null;
    const write = writerOf(fields[node.name.value]?.type, node.selectionSet);
    if (write === null) return null;
    parts.push({ key, property, write });
  }
  return (value) => {
    if (typeof value !== 'object') return decline();
    const object = value as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    for (let i = 0; i < parts.length; i++) {
      const { key, property, write } = parts[i]!;
      if (property === null) result[key] = typeName;
      else {
        const field = typeof property === 'function' ? property(object) : object[property];
        // The default resolver would call a function; none of these fields holds one.
        if (typeof field === 'function') decline();
        result[key] = write!(field);
      }
    }
    return result;
  };
}
