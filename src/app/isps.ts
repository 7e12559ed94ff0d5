import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { ispDecider, type IspCommand } from '../domain/isp.js';
import { ispStream, type IspFields, type Origin } from '../domain/types.js';
import { normaliseDomain } from '../domain/validation.js';
import type { EventStore } from '../eventstore/port.js';
import type { IspRow } from '../../projections/ispDirectory.js';
import { handleCommand, type Clock, type CommandContext } from './commandHandler.js';
import { aggregateIdFor } from './ids.js';
import { paginate, type Page } from './pagination.js';
import type { ProjectionRunner } from './projectionRunner.js';

/** Commands and queries on ISPs; a domain belongs to one ISP, and a used ISP stays. */
export class Isps {
  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly clock: Clock,
  ) {}

  get(id: string): IspRow | undefined {
    return this.runner.model.isp(id);
  }

  /** Looks up many ISPs at once (the DataLoader's batch function). */
  getMany(ids: readonly string[]): (IspRow | undefined)[] {
    return ids.map((id) => this.runner.model.isp(id));
  }

  list(page: { first?: number | null; after?: string | null; search?: string | null } = {}): Page<IspRow> {
    const needle = page.search?.toLowerCase();
    const rows = this.runner.model
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
    return this.execute(id, { type: 'CreateIsp', ispId: id, origin, fields }, context);
  }

  async edit(id: string, expectedVersion: number, changes: Partial<IspFields>, context: CommandContext) {
    if (changes.domains) this.requireFreeDomains(changes.domains, id);
    return this.execute(id, { type: 'EditIsp', ispId: id, expectedVersion, changes }, context);
  }

  async delete(id: string, expectedVersion: number, context: CommandContext) {
    const isp = this.runner.model.isp(id);
    const users = this.runner.model.patterns().filter((row) => row.ispId === id);
    if (isp && users.length > 0)
      throw new ConflictError(
        `ISP ${id} is still used by ${users.length} bounce pattern(s); move or delete them first`,
        isp.version,
      );
    return this.execute(id, { type: 'DeleteIsp', ispId: id, expectedVersion }, context);
  }

  private async execute(id: string, command: IspCommand, context: CommandContext) {
    const result = await handleCommand(this.store, ispDecider, ispStream(id), command, context, this.clock);
    await this.runner.waitFor(result.position);
    const row = this.runner.model.ispRow(id);
    if (!row) throw new NotFoundError('Isp', id);
    return { ...result, row };
  }

  private requireFreeDomains(domains: readonly string[], ispId: string): void {
    const owners = new Map<string, IspRow>();
    for (const isp of this.runner.model.liveIsps()) for (const domain of isp.domains) owners.set(domain, isp);
    for (const domain of domains.map(normaliseDomain)) {
      const owner = owners.get(domain);
      if (owner && owner.id !== ispId)
        throw new ValidationError('domains', `${domain} already belongs to ISP ${owner.name} (${owner.id})`);
    }
  }
}
