import { IspInUseError, ValidationError } from '../domain/errors.js';
import { ispDecider } from '../domain/isp.js';
import { LIMITS } from '../domain/limits.js';
import { ispStream } from '../domain/streams.js';
import type { IspFields, Origin } from '../domain/types.js';
import { normaliseDomain } from '../domain/validation.js';
import type { IspRow } from '../../projections/ispDirectory.js';
import { CommandHandler, type CommandContext, type CommandDeps } from './commandHandler.js';
import { aggregateIdFor } from './ids.js';
import { paginate, type Page } from './pagination.js';

/** Commands and queries on ISPs; a domain belongs to one ISP, and a used ISP stays. */
export class Isps {
  private readonly handle;

  constructor(private readonly deps: CommandDeps) {
    this.handle = CommandHandler(deps, {
      entity: 'Isp',
      decider: ispDecider,
      streamOf: ispStream,
      rowOf: (model, id) => model.ispRow(id),
    });
  }

  private get model() {
    return this.deps.runner.model;
  }

  /** An ISP, deleted ones included (`deleted: true`). */
  getIncludingDeleted(id: string): IspRow | undefined {
    return this.model.ispRow(id);
  }

  get(id: string): IspRow | undefined {
    return this.model.isp(id);
  }

  /** Looks up many ISPs at once (the DataLoader's batch function). */
  getMany(ids: readonly string[]): (IspRow | undefined)[] {
    return ids.map((id) => this.model.isp(id));
  }

  list(page: { first?: number | null; after?: string | null; search?: string | null } = {}): Page<IspRow> {
    if (page.search && page.search.length > LIMITS.searchLength)
      throw new ValidationError('search', `must be at most ${LIMITS.searchLength} characters`);
    const needle = page.search?.toLowerCase();
    const rows = this.model
      .liveIsps()
      .filter(
        (row) => !needle || row.name.toLowerCase().includes(needle) || row.domains.some((d) => d.includes(needle)),
      );
    return paginate(rows, (row) => [row.name.toLowerCase(), row.id], page);
  }

  async create(
    fields: IspFields,
    context: CommandContext,
    origin: Origin = 'CUSTOM',
    id = aggregateIdFor(context.commandId),
  ) {
    this.requireFreeDomains(fields.domains, id);
    return this.handle(id, { type: 'CreateIsp', ispId: id, origin, fields }, context);
  }

  async edit(id: string, expectedVersion: number, changes: Partial<IspFields>, context: CommandContext) {
    if (changes.domains) this.requireFreeDomains(changes.domains, id);
    return this.handle(id, { type: 'EditIsp', ispId: id, expectedVersion, changes }, context);
  }

  async delete(id: string, expectedVersion: number, context: CommandContext) {
    const users = this.model.patterns().filter((row) => row.ispId === id);
    if (users.length > 0)
      throw new IspInUseError(
        `ISP ${id} is still used by ${users.length} bounce pattern(s); move or delete them first`,
        users.length,
      );
    return this.handle(id, { type: 'DeleteIsp', ispId: id, expectedVersion }, context);
  }

  private requireFreeDomains(domains: readonly string[], ispId: string): void {
    const owners = new Map<string, IspRow>();
    for (const isp of this.model.liveIsps()) for (const domain of isp.domains) owners.set(domain, isp);
    for (const domain of domains.map(normaliseDomain)) {
      const owner = owners.get(domain);
      if (owner && owner.id !== ispId)
        throw new ValidationError('domains', `${domain} already belongs to ISP ${owner.name} (${owner.id})`);
    }
  }
}
