import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../domain/access.js';
import { apiTokenDecider, type ApiTokenCommand } from '../domain/apiToken.js';
import { ConfigurationError, ConflictError, NotFoundError } from '../domain/errors.js';
import { SYSTEM_ACTOR, apiTokenStream, type Actor } from '../domain/types.js';
import type { EventStore } from '../eventstore/port.js';
import type { ApiTokenRow } from '../../projections/apiTokens.js';
import { handleCommand, type Clock, type CommandContext } from './commandHandler.js';
import { aggregateIdFor } from './ids.js';
import type { ProjectionRunner } from './projectionRunner.js';

/** Secrets are 256 random bits, so one SHA-256 is enough to store them safely (no slow KDF needed). */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

const newSecret = (): string => `bp_${randomBytes(32).toString('base64url')}`;

/** The stream of the first admin token, fixed so that concurrent first starts create only one. */
const FIRST_ADMIN_ID = 'first-admin';

export interface Principal {
  readonly actor: Actor;
  readonly role: Role;
}

export const tokenActor = (row: Pick<ApiTokenRow, 'id' | 'name'>): Actor => ({
  id: row.id,
  name: row.name,
  kind: 'token',
});

/** API tokens: created and revoked as events; requests are authenticated against the projection. */
export class ApiTokens {
  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly clock: Clock,
  ) {}

  /** The principal a bearer secret stands for; null for an unknown or revoked token. */
  authenticate(secret: string): Principal | null {
    if (secret.length === 0 || secret.length > 200) return null;
    const row = this.runner.model.apiTokenByHash(hashSecret(secret));
    return row && !row.revoked ? { actor: tokenActor(row), role: row.role } : null;
  }

  list(): ApiTokenRow[] {
    return this.runner.model.apiTokens().sort((a, b) => Number(a.createdPosition - b.createdPosition));
  }

  /** Creates a token; the secret is returned here and never again. */
  async create(
    name: string,
    role: Role,
    context: CommandContext,
    secret = newSecret(),
    id = aggregateIdFor(context.commandId),
  ) {
    const row = await this.execute(
      id,
      { type: 'CreateApiToken', tokenId: id, name, role, secretHash: hashSecret(secret) },
      context,
    );
    return { row, secret };
  }

  async revoke(id: string, context: CommandContext) {
    return this.execute(id, { type: 'RevokeApiToken', tokenId: id }, context);
  }

  /**
   * The first admin token: BOOTSTRAP_ADMIN_TOKEN when given (installed once; refused when the log
   * already has another admin), else a generated one when the log holds no token at all. Returns a generated secret, to be
   * shown once; null when nothing was generated.
   */
  async bootstrap(configured: string | null): Promise<string | null> {
    const context = { actor: SYSTEM_ACTOR };
    if (configured) {
      const known = this.runner.model.apiTokenByHash(hashSecret(configured));
      if (known?.revoked) throw new ConfigurationError('BOOTSTRAP_ADMIN_TOKEN is a revoked token: choose another');
      if (known) return null;
      // A different secret on a log that has an admin would silently add a second one.
      if (this.runner.model.apiTokens().some((row) => row.role === 'admin' && !row.revoked))
        throw new ConfigurationError(
          "BOOTSTRAP_ADMIN_TOKEN is not the secret of this log's admin token: unset it to keep the tokens the log holds (admins create more with createApiToken)",
        );
      const id = `bootstrap-${hashSecret(configured).slice(0, 16)}`;
      await this.ignoringRace(() =>
        this.create('bootstrap admin (BOOTSTRAP_ADMIN_TOKEN)', 'admin', context, configured, id),
      );
      return null;
    }
    if (this.runner.model.apiTokens().length > 0) return null;
    const secret = newSecret();
    const created = await this.ignoringRace(() => this.create('first admin', 'admin', context, secret, FIRST_ADMIN_ID));
    return created ? secret : null;
  }

  private async ignoringRace<T>(run: () => Promise<T>): Promise<T | null> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ConflictError) return null;
      throw error;
    }
  }

  private async execute(id: string, command: ApiTokenCommand, context: CommandContext): Promise<ApiTokenRow> {
    const result = await handleCommand(this.store, apiTokenDecider, apiTokenStream(id), command, context, this.clock);
    await this.runner.waitFor(result.position);
    const row = this.runner.model.apiToken(id);
    if (!row) throw new NotFoundError('ApiToken', id);
    return row;
  }
}
