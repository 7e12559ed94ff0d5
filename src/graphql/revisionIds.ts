/** A revision's id: the object's id and its version, so it never collides with the live object. */
export const revisionId = (id: string, version: number): string => `${id}@${version}`;

export function parseRevisionId(id: string): { id: string; version: number } | null {
  const at = id.lastIndexOf('@');
  const version = Number(id.slice(at + 1));
  return at > 0 && Number.isInteger(version) && version > 0 ? { id: id.slice(0, at), version } : null;
}
