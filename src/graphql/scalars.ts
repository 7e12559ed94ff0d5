import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** A position in the event log: a 64-bit integer, sent as a decimal string so no client loses digits. */
export const PositionScalar = new GraphQLScalarType<bigint | null, string>({
  name: 'Position',
  description: 'A position in the event log: a non-negative 64-bit integer written as a decimal string.',
  serialize: (value) => String(value),
  parseValue: (value) => parsePosition(value),
  parseLiteral: (ast) => parsePosition(ast.kind === Kind.STRING || ast.kind === Kind.INT ? ast.value : undefined),
});

function parsePosition(value: unknown): bigint {
  if (
    (typeof value === 'string' && /^\d{1,20}$/.test(value)) ||
    (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)
  ) {
    const position = BigInt(value);
    if (position <= 0xffffffffffffffffn) return position;
  }
  throw new GraphQLError('Position must be a non-negative 64-bit integer written as a decimal string', {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}
