import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  isObjectType,
  isInterfaceType,
  Kind,
  type OperationDefinitionNode,
  parse,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
  valueFromASTUntyped,
} from 'graphql';
import { PAGE_SIZE } from '../app/pagination.js';
import { allows, type Role } from '../domain/access.js';
import { nestedPermission, unauthenticated } from './auth.js';

/**
 * What one request may hold and cost. Each is checked before graphql-js validates the document
 * (validation compares every pair of same-named fields, so its cost grows with their square), and
 * each is refused with its own code.
 */
export const QUERY_LIMITS = {
  /** UTF-8 bytes of the document; inputs belong in variables. */
  documentBytes: 32_768,
  tokens: 5_000,
  /** An introspection document sent without a token (development only): what the explorer needs. */
  anonymousTokens: 1_000,
  fields: 500,
  /** Validation compares the fields of every pair of fragments spread side by side. */
  fragments: 30,
  /** Σ over response names of (times selected)²: what pairwise field-merging checks cost. */
  repeatedFields: 1_500,
  /** Variable definitions and directives: each repeated one is an error validation builds. */
  variables: 100,
  directives: 100,
  aliases: 30,
  depth: 10,
  /** Selection sets inside each other, inline fragments and introspection included (the explorer's query: 13). */
  nesting: 30,
  /** Nested introspection lists (`types { fields { args } }` is 3): each one multiplies the answer. */
  introspectionLists: 3,
  /** `__schema` selections: the whole schema is about 75 KB and 30 ms to answer; aliases would repeat it. */
  schemaIntrospections: 1,
  complexity: 25_000,
} as const;

export type LimitCode =
  | 'DOCUMENT_TOO_LARGE'
  | 'TOO_MANY_TOKENS'
  | 'TOO_MANY_FIELDS'
  | 'TOO_MANY_FRAGMENTS'
  | 'TOO_MANY_VARIABLES'
  | 'TOO_MANY_DIRECTIVES'
  | 'TOO_MANY_REPEATED_FIELDS'
  | 'TOO_MANY_ALIASES'
  | 'QUERY_TOO_DEEP'
  | 'SELECTIONS_TOO_NESTED'
  | 'INTROSPECTION_TOO_DEEP'
  | 'INTROSPECTION_REPEATED'
  | 'QUERY_TOO_COMPLEX';

export class LimitError extends GraphQLError {
  constructor(code: LimitCode, message: string, limit: number, actual: number) {
    super(message, { extensions: { code, limit, actual, http: { status: 400 } } });
  }
}

/** Refuses `actual` over `limit` with the limit's own code; `what` says what was counted. */
function bound(code: LimitCode, actual: number, limit: number, what: string): void {
  if (actual > limit) throw new LimitError(code, `${what}, over the limit of ${limit}`, limit, actual);
}

/** A refusal of the document itself, before it is validated: a syntax error, a fragment that cannot be followed. */
const documentError = (code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED', message: string) =>
  new GraphQLError(message, { extensions: { code, http: { status: 400 } } });

const forbiddenField = (type: string, field: string) =>
  new GraphQLError(`The token's role does not allow reading ${type}.${field}`, {
    extensions: { code: 'FORBIDDEN', http: { status: 403 } },
  });

export interface GraphQLRequestBody {
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>> | null;
  readonly operationName?: string | null;
}

export interface RequestCaller {
  /** null: no valid token. */
  readonly role: Role | null;
  /** Whether introspection is served: then an introspection document may pass without a token. */
  readonly introspection: boolean;
  /**
   * The most items an unpaginated list field (`Type.field`) can hold now, when the service knows it
   * (an ISP's patterns); asked only for documents that select it. Unknown: costed as a full page.
   * Whether a field's size is known must not change (only the size may), as walks are remembered.
   */
  readonly listSize?: (type: string, field: string) => number | undefined;
}

/** The document-wide counts, independent of variables and caller: kept with the parsed document. */
interface Parsed {
  readonly document: DocumentNode;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly introspectionOnly: boolean;
  /**
   * Totals of operation walks that read no variable and no list size, by role and operation name: all
   * else the walk reads is the document and the schema. The MTA's `classify` is walked once.
   */
  readonly walks: Map<string, Totals>;
}

/** Operations × roles remembered per document; a document with more is walked each time. */
const MAX_WALKS = 16;

const PARSED_CACHE_SIZE = 200;
const parsedCache = new Map<string, Parsed>();

/**
 * The cheap checks every GraphQL request passes before graphql-js validates or runs it, in order:
 * a token (or, where introspection is served, an introspection-only document), the document's size,
 * tokens, nesting, fields, fragments, variables, directives, repeated fields and aliases (counted in
 * one pass over the document, kept with it), then one pass over the operation for depth,
 * cost and the nested reads the caller's role allows. Linear in the document: each fragment is
 * walked once. Throws a GraphQLError with its own code; returns the parsed document.
 */
export function checkDocument(schema: GraphQLSchema, request: GraphQLRequestBody, caller: RequestCaller): DocumentNode {
  if (caller.role === null && !caller.introspection) throw unauthenticated();
  const bytes = Buffer.byteLength(request.query, 'utf8');
  bound(
    'DOCUMENT_TOO_LARGE',
    bytes,
    QUERY_LIMITS.documentBytes,
    `the document is ${bytes} bytes (send inputs as variables)`,
  );
  const parsed =
    caller.role === null
      ? countDocument(parseBounded(request.query, QUERY_LIMITS.anonymousTokens))
      : parseCached(request.query);
  if (caller.role === null && !parsed.introspectionOnly) throw unauthenticated();
  const operation = selectOperation(parsed.document, request.operationName);
  if (operation) {
    const { depth, cost, introspectionLists } = walkOperation(schema, parsed, operation, request, caller);
    bound('QUERY_TOO_DEEP', depth, QUERY_LIMITS.depth, `query depth ${depth}`);
    bound(
      'INTROSPECTION_TOO_DEEP',
      introspectionLists,
      QUERY_LIMITS.introspectionLists,
      `introspection nests ${introspectionLists} lists`,
    );
    // A cost that is not a number (NaN) is refused too: a limit that cannot be computed refuses.
    bound(
      'QUERY_TOO_COMPLEX',
      Number.isNaN(cost) ? Number.POSITIVE_INFINITY : cost,
      QUERY_LIMITS.complexity,
      `query cost ${cost}`,
    );
  }
  return parsed.document;
}

/** Depth, cost and nested reads of the operation, remembered with the document where only the role can change them. */
function walkOperation(
  schema: GraphQLSchema,
  parsed: Parsed,
  operation: OperationDefinitionNode,
  request: GraphQLRequestBody,
  caller: RequestCaller,
): Totals {
  const key = `${caller.role}:${request.operationName ?? ''}`;
  const known = parsed.walks.get(key);
  if (known) return known;
  const walk = new OperationWalk(
    schema,
    parsed.fragments,
    variablesOf(operation, request.variables),
    caller.role,
    caller.listSize,
  );
  const root =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  const totals = walk.selectionSet(operation.selectionSet, root ?? undefined);
  if (!walk.readRequest && parsed.walks.size < MAX_WALKS) parsed.walks.set(key, totals);
  return totals;
}

/** A token's documents are kept parsed and counted: the MTA sends the same few over and over. */
function parseCached(source: string): Parsed {
  const cached = parsedCache.get(source);
  if (cached) return cached;
  const parsed = countDocument(parseBounded(source, QUERY_LIMITS.tokens));
  if (parsedCache.size >= PARSED_CACHE_SIZE) parsedCache.delete(parsedCache.keys().next().value!);
  parsedCache.set(source, parsed);
  return parsed;
}

function parseBounded(source: string, maxTokens: number): DocumentNode {
  try {
    return parse(source, { maxTokens, noLocation: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes('tokens. Parsing aborted'))
      bound('TOO_MANY_TOKENS', maxTokens + 1, maxTokens, `the document has more than ${maxTokens} tokens`);
    throw documentError('GRAPHQL_PARSE_FAILED', message);
  }
}

/** One pass over every node of the document (fragments counted once, where they are written). */
function countDocument(document: DocumentNode): Parsed {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let fields = 0;
  let aliases = 0;
  let directives = 0;
  let variables = 0;
  let nesting = 0;
  let schemaIntrospections = 0;
  let introspectionOnly = true;
  const byResponseName = new Map<string, number>();
  const visit = (set: SelectionSetNode, top: boolean, level = 1): void => {
    nesting = Math.max(nesting, level);
    for (const selection of set.selections) {
      directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        fields += 1;
        if (selection.alias) aliases += 1;
        if (selection.name.value === '__schema') schemaIntrospections += 1;
        const name = (selection.alias ?? selection.name).value;
        byResponseName.set(name, (byResponseName.get(name) ?? 0) + 1);
        if (top && !selection.name.value.startsWith('__')) introspectionOnly = false;
        if (selection.selectionSet) visit(selection.selectionSet, false, level + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, top, level + 1);
      } else if (top) {
        // Spreads at the top level could hide any field; an introspection document has none.
        introspectionOnly = false;
      }
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
      directives += definition.directives?.length ?? 0;
      visit(definition.selectionSet, false);
    } else if (definition.kind === Kind.OPERATION_DEFINITION) {
      if (definition.operation !== 'query') introspectionOnly = false;
      directives += definition.directives?.length ?? 0;
      variables += definition.variableDefinitions?.length ?? 0;
      visit(definition.selectionSet, true);
    } else {
      introspectionOnly = false;
    }
  }
  bound('TOO_MANY_FIELDS', fields, QUERY_LIMITS.fields, `the document selects ${fields} fields`);
  bound(
    'TOO_MANY_FRAGMENTS',
    fragments.size,
    QUERY_LIMITS.fragments,
    `the document defines ${fragments.size} fragments`,
  );
  bound('SELECTIONS_TOO_NESTED', nesting, QUERY_LIMITS.nesting, `selection sets nest ${nesting} deep`);
  bound(
    'INTROSPECTION_REPEATED',
    schemaIntrospections,
    QUERY_LIMITS.schemaIntrospections,
    `the document selects __schema ${schemaIntrospections} times`,
  );
  bound('TOO_MANY_VARIABLES', variables, QUERY_LIMITS.variables, `the document defines ${variables} variables`);
  bound('TOO_MANY_DIRECTIVES', directives, QUERY_LIMITS.directives, `the document uses ${directives} directives`);
  let repeated = 0;
  let mostRepeated = ['', 0] as [string, number];
  for (const entry of byResponseName) {
    repeated += entry[1] * entry[1];
    if (entry[1] > mostRepeated[1]) mostRepeated = entry;
  }
  bound(
    'TOO_MANY_REPEATED_FIELDS',
    repeated,
    QUERY_LIMITS.repeatedFields,
    `the document repeats fields (${mostRepeated[0]} ${mostRepeated[1]} times): the sum of each name's count squared is ${repeated}`,
  );
  bound('TOO_MANY_ALIASES', aliases, QUERY_LIMITS.aliases, `the document has ${aliases} aliases`);
  return { document, fragments, introspectionOnly, walks: new Map() };
}

/** The operation that will run; null when none can be chosen (execution then says why). */
function selectOperation(document: DocumentNode, name: string | null | undefined): OperationDefinitionNode | null {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (name) return operations.find((o) => o.name?.value === name) ?? null;
  return operations.length === 1 ? operations[0]! : null;
}

function variablesOf(
  operation: OperationDefinitionNode,
  given: Readonly<Record<string, unknown>> | null | undefined,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? [])
    if (definition.defaultValue) values[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
  return { ...values, ...(given && typeof given === 'object' ? given : {}) };
}

/** Field complexity of an unpaginated list: costed as a full page, so nesting it stays within the limit. */
export const asFullPage = ({ childComplexity }: { childComplexity: number }): number =>
  1 + PAGE_SIZE.default * childComplexity;

interface Totals {
  /** Nesting of fields, introspection left out (it is bounded by introspectionLists). */
  readonly depth: number;
  readonly cost: number;
  readonly introspectionLists: number;
}

const NOTHING: Totals = { depth: 0, cost: 0, introspectionLists: 0 };
const INTROSPECTION_LISTS = new Set([
  'types',
  'fields',
  'args',
  'inputFields',
  'enumValues',
  'interfaces',
  'possibleTypes',
  'directives',
]);

/** Depth, cost and nested permissions of one operation; each fragment's totals are computed once. */
class OperationWalk {
  private readonly memo = new Map<string, Totals>();
  private readonly entered = new Set<string>();
  /** Whether the totals depend on the request's variables or on list sizes, not only on the document and role. */
  readRequest = false;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
    private readonly role: Role | null,
    private readonly listSize?: RequestCaller['listSize'],
  ) {}

  selectionSet(set: SelectionSetNode, parent: GraphQLNamedType | undefined, introspection = false): Totals {
    let depth = 0;
    let cost = 0;
    let introspectionLists = 0;
    for (const selection of set.selections) {
      let totals: Totals;
      if (selection.kind === Kind.FIELD) totals = this.field(selection, parent, introspection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : parent;
        totals = this.selectionSet(selection.selectionSet, type ?? undefined, introspection);
      } else totals = this.fragment(selection.name.value, introspection);
      depth = Math.max(depth, totals.depth);
      cost += totals.cost;
      introspectionLists = Math.max(introspectionLists, totals.introspectionLists);
    }
    return { depth, cost, introspectionLists };
  }

  private fragment(name: string, introspection: boolean): Totals {
    const key = `${introspection ? '__' : ''}${name}`;
    const known = this.memo.get(key);
    if (known) return known;
    const fragment = this.fragments.get(name);
    if (!fragment) throw documentError('GRAPHQL_VALIDATION_FAILED', `Unknown fragment "${name}".`);
    if (this.entered.has(key)) throw documentError('GRAPHQL_VALIDATION_FAILED', `Fragment "${name}" spreads itself.`);
    this.entered.add(key);
    const totals = this.selectionSet(
      fragment.selectionSet,
      this.schema.getType(fragment.typeCondition.name.value) ?? undefined,
      introspection,
    );
    this.memo.set(key, totals);
    return totals;
  }

  private field(node: FieldNode, parent: GraphQLNamedType | undefined, introspection: boolean): Totals {
    const name = node.name.value;
    if (name === '__typename') return { depth: 0, cost: 1, introspectionLists: 0 };
    const meta = name === '__schema' ? SchemaMetaFieldDef : name === '__type' ? TypeMetaFieldDef : undefined;
    const definition: GraphQLField<unknown, unknown> | undefined =
      meta ?? (isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined);
    // A field the type does not have is left to validation, which says so.
    if (parent && definition && !introspection && !meta) this.checkRead(parent.name, name);
    const inIntrospection = introspection || meta !== undefined;
    const child = node.selectionSet
      ? this.selectionSet(node.selectionSet, definition ? getNamedType(definition.type) : undefined, inIntrospection)
      : NOTHING;
    if (inIntrospection)
      return {
        depth: 0,
        cost: 1 + child.cost,
        introspectionLists: child.introspectionLists + (INTROSPECTION_LISTS.has(name) ? 1 : 0),
      };
    return {
      depth: 1 + child.depth,
      cost: this.listSizeOf(parent, node, child.cost) ?? this.fieldCost(node, definition, child.cost),
      introspectionLists: child.introspectionLists,
    };
  }

  /** A page costs its size times its fields, a batch its items times theirs, a field its own complexity. */
  /** A list the service can bound by what it holds now costs its items times their fields. */
  private listSizeOf(parent: GraphQLNamedType | undefined, node: FieldNode, childCost: number): number | undefined {
    const size = parent && this.listSize?.(parent.name, node.name.value);
    if (size === undefined) return undefined;
    this.readRequest = true;
    return 1 + size * childCost;
  }

  private fieldCost(
    node: FieldNode,
    definition: GraphQLField<unknown, unknown> | undefined,
    childCost: number,
  ): number {
    const own = definition?.extensions?.complexity;
    if (typeof own === 'number') return own + childCost;
    if (typeof own === 'function') return own({ childComplexity: childCost });
    const items = node.arguments?.find((a) => a.name.value === 'items');
    if (items) {
      this.readRequest = true;
      const value = valueFromASTUntyped(items.value, this.variables);
      // A single value where a list is expected counts as a list of one, as graphql-js coerces it.
      return 1 + (Array.isArray(value) ? value.length : 1) * childCost;
    }
    if (definition?.args.some((arg) => arg.name === 'first')) {
      const first = node.arguments?.find((a) => a.name.value === 'first');
      if (first) this.readRequest = true;
      const value = first ? valueFromASTUntyped(first.value, this.variables) : null;
      // A size that is not a number is costed as the largest page (its coercion fails later).
      const size =
        value === null || value === undefined ? PAGE_SIZE.default : typeof value === 'number' ? value : PAGE_SIZE.max;
      return 1 + Math.max(size, 0) * childCost;
    }
    return 1 + childCost;
  }

  private checkRead(type: string, field: string): void {
    const permission = nestedPermission(type, field);
    if (permission && this.role !== null && !allows(this.role, permission)) throw forbiddenField(type, field);
  }
}
