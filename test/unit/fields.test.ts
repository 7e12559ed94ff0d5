import { isInputObjectType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { BOUNCE_PATTERN_FIELD_NAMES, bouncePatternDecider } from '../../src/domain/bouncePattern.js';
import { fold } from '../../src/domain/decider.js';
import type { BouncePatternEvent } from '../../src/domain/events.js';
import type { BouncePatternFields } from '../../src/domain/types.js';
import { BOUNCE_PATTERN_FIELDS, ISP_FIELDS, fieldNames } from '../../src/domain/validation.js';
import { buildBouncePatternsSchema } from '../../src/graphql/schema.js';
import { SAMPLE_PATTERN_FIELDS } from '../support/projectionSpecification.js';

/*
 * A field of a bounce pattern or an ISP is declared in its fields type, and from there:
 * `tsc` fails until the field has a rule in its FIELDS table (validation.ts) and a sample here;
 * these tests fail until an edit of it writes an event and the GraphQL types carry it.
 */

const ORIGINAL = SAMPLE_PATTERN_FIELDS;
const ANOTHER_VALUE: { [K in keyof BouncePatternFields]-?: BouncePatternFields[K] } = {
  name: 'Acme: mailbox unknown',
  type: 'BOUNCE',
  ispId: 'acme',
  pattern: 'mailbox unknown',
  message: 'Unknown mailbox',
  priority: 5,
  enabled: false,
};

describe('bounce pattern fields are complete by construction', () => {
  const created: BouncePatternEvent = {
    type: 'BouncePatternCreated',
    data: { patternId: 'p1', origin: 'CUSTOM', ...ORIGINAL },
  };

  it.each(BOUNCE_PATTERN_FIELD_NAMES)('an edit of %s alone writes an event that changes it', (field) => {
    const state = fold(bouncePatternDecider, [created]);
    const changes = { [field]: ANOTHER_VALUE[field] } as Partial<BouncePatternFields>;
    const events = bouncePatternDecider.decide(
      { type: 'EditBouncePattern', patternId: 'p1', expectedVersion: 1, changes },
      state,
    );
    expect(events).toEqual([
      {
        type: 'BouncePatternEdited',
        data: { patternId: 'p1', changes, previous: { [field]: ORIGINAL[field] } },
      },
    ]);
    const after = fold(bouncePatternDecider, [created, ...events]);
    expect(after.status === 'active' && after.fields[field]).toEqual(ANOTHER_VALUE[field]);
  });

  it('a create keeps every field of the input', () => {
    const [event] = bouncePatternDecider.decide(
      { type: 'CreateBouncePattern', patternId: 'p1', origin: 'CUSTOM', fields: ANOTHER_VALUE },
      fold(bouncePatternDecider, []),
    );
    expect(event!.data).toEqual({ patternId: 'p1', origin: 'CUSTOM', ...ANOTHER_VALUE });
  });
});

describe('the GraphQL types carry every field of their table', async () => {
  const schema = await buildBouncePatternsSchema();
  const fieldsOf = (name: string) => {
    const type = schema.getType(name);
    if (!isInputObjectType(type) && !isObjectType(type)) throw new Error(`${name} is not an object type`);
    return Object.keys(type.getFields());
  };

  it.each([
    ['CreateBouncePatternInput', fieldNames(BOUNCE_PATTERN_FIELDS), 'exactly'],
    ['EditBouncePatternInput', fieldNames(BOUNCE_PATTERN_FIELDS), 'exactly'],
    ['BouncePattern', fieldNames(BOUNCE_PATTERN_FIELDS), 'at least'],
    ['CreateIspInput', fieldNames(ISP_FIELDS), 'exactly'],
    ['EditIspInput', fieldNames(ISP_FIELDS), 'exactly'],
    ['Isp', fieldNames(ISP_FIELDS), 'at least'],
  ] as const)('%s has %s the fields of the domain table', (typeName, names, how) => {
    const fields = fieldsOf(typeName);
    if (how === 'exactly') expect([...fields].sort()).toEqual([...names].map(String).sort());
    else expect(fields).toEqual(expect.arrayContaining(names.map(String)));
  });
});
