import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startService, type RunningService } from '../../src/server.js';
import { bearer, serviceEnv } from '../support/auth.js';
import { gqlData, gqlError } from '../support/graphqlClient.js';
import { CLASSIFY, CREATE_PATTERN, CREATE_TOKEN, DELETE_PATTERN, EDIT_PATTERN } from '../support/queries.js';
import { scratchDir } from '../support/serviceProcess.js';

/**
 * What the MTA sees over HTTP. The server runs in this process (real HTTP on a free port) so that
 * a test can count the lookups a request makes.
 */
const scratch = scratchDir();
let service: RunningService;
let mta: Record<string, string>;

const create = async (input: Record<string, unknown>) =>
  (await gqlData(service.url, CREATE_PATTERN, { input: { message: 'm', ...input } })).createBouncePattern;
const classify = async (reply: string, recipient?: string, ispId?: string) =>
  (await gqlData(service.url, CLASSIFY, { reply, recipient, ispId }, mta)).classify;

beforeAll(async () => {
  service = await startService(loadConfig(serviceEnv(scratch.sqlitePath, { PORT: '0' })));
  mta = bearer(
    (await gqlData(service.url, CREATE_TOKEN, { input: { name: 'mta-1', role: 'MTA' } })).createApiToken.secret,
  );
  await gqlData(
    service.url,
    'mutation { createIsp(input: { name: "Acme Mail", domains: ["acme.example"] }) { isp { id } } }',
  );
});

afterAll(async () => {
  await service?.stop();
  scratch.cleanup();
});

describe('classify over HTTP', () => {
  it('uses an acknowledged create, edit and delete on the very next call', async () => {
    const reply = '550 zebra-crossing refused';
    expect(await classify(reply)).toMatchObject({ type: 'BOUNCE', matchedBy: 'REPLY_CODE', pattern: null });
    const { pattern } = await create({ name: 'zebra', type: 'HARD_BOUNCE', pattern: 'zebra-crossing', priority: 1 });
    const created = await classify(reply);
    expect(created).toMatchObject({ type: 'HARD_BOUNCE', matchedBy: 'PATTERN', pattern: { patternId: pattern.id } });
    await gqlData(service.url, EDIT_PATTERN, { id: pattern.id, expectedVersion: 1, input: { type: 'SOFT_BOUNCE' } });
    const edited = await classify(reply);
    expect(edited).toMatchObject({ type: 'SOFT_BOUNCE', pattern: { patternId: pattern.id } });
    expect(BigInt(edited.rulesetVersion)).toBeGreaterThan(BigInt(created.rulesetVersion));
    await gqlData(service.url, EDIT_PATTERN, { id: pattern.id, expectedVersion: 2, input: { enabled: false } });
    expect(await classify(reply)).toMatchObject({ matchedBy: 'REPLY_CODE', pattern: null });
    await gqlData(service.url, EDIT_PATTERN, { id: pattern.id, expectedVersion: 3, input: { enabled: true } });
    await gqlData(service.url, DELETE_PATTERN, { id: pattern.id, expectedVersion: 4 });
    expect(await classify(reply)).toMatchObject({ matchedBy: 'REPLY_CODE', pattern: null });
  });

  it('tries the ISP’s patterns first, found through the parent domains of the recipient', async () => {
    const general = await create({ name: 'quokka general', type: 'BOUNCE', pattern: 'quokka', priority: 1 });
    const unknownIsp = await gqlError(service.url, CREATE_PATTERN, {
      input: { name: 'q', type: 'BOUNCE', pattern: 'quokka', message: 'm', ispId: 'no-such-isp' },
    });
    expect(unknownIsp.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ispId' });
    const ispId = (await gqlData(service.url, '{ isps(search: "acme") { edges { node { id } } } }')).isps.edges[0].node
      .id;
    const specific = await create({
      name: 'quokka at acme',
      type: 'SOFT_BOUNCE',
      pattern: 'quokka',
      ispId,
      priority: 900,
    });
    const reply = '550 5.7.1 quokka detected';
    expect(await classify(reply, 'someone@mx1.mail.acme.example')).toMatchObject({
      type: 'SOFT_BOUNCE',
      pattern: { patternId: specific.pattern.id },
      isp: { ispId, name: 'Acme Mail' },
      replyCode: '550',
      enhancedStatusCode: '5.7.1',
    });
    expect(await classify(reply, 'someone@elsewhere.example')).toMatchObject({
      type: 'BOUNCE',
      pattern: { patternId: general.pattern.id },
      isp: null,
    });
    expect(await classify(reply, undefined, ispId)).toMatchObject({ pattern: { patternId: specific.pattern.id } });
  });

  it('answers a batch in order, and refuses one that is too large', async () => {
    const items = [
      { reply: '452 4.2.2 over quota, try later' },
      {
        reply: '550-5.1.1 The email account that you tried to reach does not exist.\r\n550 5.1.1 Please try again.',
        recipient: 'x@gmail.com',
      },
      { reply: 'connection dropped' },
    ];
    const batch = (
      await gqlData(
        service.url,
        'query($items: [ClassifyInput!]!) { classifyBatch(items: $items) { type matchedBy isp { ispId } } }',
        { items },
        mta,
      )
    ).classifyBatch;
    expect(batch.map((v: any) => v.type)).toEqual(['SOFT_BOUNCE', 'HARD_BOUNCE', 'BOUNCE']);
    expect(batch[1].isp).toEqual({ ispId: 'gmail' });
    expect(batch[2].matchedBy).toBe('NONE');
  });

  it('lets an admin try a pattern on samples before saving it', async () => {
    const result = (
      await gqlData(
        service.url,
        'query($p: String!, $s: [String!]!) { testPattern(pattern: $p, samples: $s) { warnings trials { reply matches current { type pattern { patternId } } } } }',
        {
          p: 'wombat',
          s: ['550 wombat here', '550 nothing'],
        },
      )
    ).testPattern;
    expect(result.warnings).toEqual([]);
    expect(result.trials.map((t: any) => t.matches)).toEqual([true, false]);
    const noLiteral = (
      await gqlData(service.url, 'query { testPattern(pattern: "^5\\\\d\\\\d$", samples: []) { warnings } }')
    ).testPattern;
    expect(noLiteral.warnings[0]).toMatch(/no literal text/);
    const bad = await gqlError(service.url, 'query { testPattern(pattern: "(a", samples: []) { warnings } }');
    expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pattern' });
  });

  it('warns an admin who saves a pattern with no literal text to index', async () => {
    const saved = await create({ name: 'codes only', type: 'BOUNCE', pattern: '^5\\d\\d$' });
    expect(saved.warnings[0]).toMatch(/tried on every reply/);
  });
});

describe('DataLoaders', () => {
  it('resolve the ISP of a page of 100 patterns with one lookup', async () => {
    const ispId = (await gqlData(service.url, '{ isps(search: "acme") { edges { node { id } } } }')).isps.edges[0].node
      .id;
    for (let i = 0; i < 100; i++)
      await create({ name: `loader ${i}`, type: 'BOUNCE', pattern: `loader probe ${i}`, ispId });
    const lookups = vi.spyOn(service.app.isps, 'getMany');
    const page = await gqlData(
      service.url,
      'query($id: ID) { bouncePatterns(filter: { ispId: $id, search: "loader probe" }, first: 100) { edges { node { isp { name } } } } }',
      { id: ispId },
    );
    expect(page.bouncePatterns.edges).toHaveLength(100);
    expect(page.bouncePatterns.edges.every((e: any) => e.node.isp.name === 'Acme Mail')).toBe(true);
    expect(lookups).toHaveBeenCalledTimes(1);
    expect(lookups.mock.calls[0]![0]).toEqual([ispId]);
    lookups.mockRestore();
  });
});
