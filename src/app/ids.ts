import { createHash, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

/**
 * The id of the n-th event a command produces: a name-based UUID of the command id, so that a
 * retried command yields the same event ids and the store recognises it.
 */
export const eventIdFor = (commandId: string, index: number): string => nameBasedUuid(`${commandId}#${index}`);

/** The id a create command gives its new aggregate: a retried create addresses the same stream. */
export const aggregateIdFor = (commandId: string | undefined): string =>
  commandId === undefined ? newId() : nameBasedUuid(`${commandId}#aggregate`);

function nameBasedUuid(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
