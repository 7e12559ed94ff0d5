import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../domain/access.js';
import { apiTokenDecider } from '../domain/apiToken.js';
import { IdempotencyKeyReusedError } from '../domain/errors.js';
import { LIMITS } from '../domain/limits.js';
import { apiTokenStream } from '../domain/streams.js';
import { SYSTEM_ACTOR, type Actor } from '../domain/types.js';
import type { ApiTokenRow } from '../../projections/apiTokens.js';
import { CommandHandler, unlessConcurrentlyDone, type CommandContext, type CommandDeps } from './commandHandler.js';
import { aggregateIdFor } from './ids.js';

/** Secrets are 256 random bits, so one SHA-256 is enough to store them safely (no slow KDF needed). */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

export const newSecret = (): string => `bp_${randomBytes(32).toString('base64url')}`;

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
  private readonly handle;

  constructor(private readonly deps: CommandDeps) {
    this.handle = CommandHandler(deps, {
      entity: 'ApiToken',
      decider: apiTokenDecider,
      streamOf: apiTokenStream,
      rowOf: (model, id) => model.apiToken(id),
      // A key is bound to the client's input, not to the secret generated for it.
      requestOf: (command) => (command.type === 'CreateApiToken' ? { ...command, secretHash: undefined } : command),
    });
  }

  private get model() {
    return this.deps.runner.model;
  }

  /** The principal a bearer secret stands for; null for an unknown or revoked token. */
  authenticate(secret: string): Principal | null {
    if (secret.length === 0 || secret.length > LIMITS.idLength) return null;
    const row = this.model.apiTokenByHash(hashSecret(secret));
    return row && !row.revoked ? { actor: tokenActor(row), role: row.role } : null;
  }

  list(): ApiTokenRow[] {
    return this.model.apiTokens().sort((a, b) => Number(a.createdPosition - b.createdPosition));
  }

  /** Creates a token; the secret is returned here and never again. */
  async create(
    name: string,
    role: Role,
    context: CommandContext,
    secret = newSecret(),
    id = aggregateIdFor(context.commandId),
  ) {
    const { row, retried } = await this.handle(
      id,
      { type: 'CreateApiToken', tokenId: id, name, role, secretHash: hashSecret(secret) },
      context,
    );
    if (retried)
      throw new IdempotencyKeyReusedError(
        `token ${id} was created by the first request with this key, and a secret is shown only once: revoke it and create another`,
      );
    return { row, secret };
  }

  async revoke(id: string, context: CommandContext): Promise<ApiTokenRow> {
    return (await this.handle(id, { type: 'RevokeApiToken', tokenId: id }, context)).row;
  }

  /**
   * The first admin token: BOOTSTRAP_ADMIN_TOKEN when given (installed once; refused when the log
   * already has another admin), else a generated one when the log holds no token at all, handed to `announce`
   * before it is written. Returns the generated secret once stored; null when nothing was generated.
   */
  async bootstrap(configured: string | null, announce: (secret: string) => void = () => {}): Promise<string | null> {
    const context = { actor: SYSTEM_ACTOR };
    if (configured) {
      const known = this.model.apiTokenByHash(hashSecret(configured));
      if (known?.revoked) throw new Error('BOOTSTRAP_ADMIN_TOKEN is a revoked token: choose another');
      if (known) return null;
      // A different secret on a log that has an admin would silently add a second one.
      if (this.model.apiTokens().some((row) => row.role === 'admin' && !row.revoked))
        throw new Error(
          "BOOTSTRAP_ADMIN_TOKEN is not the secret of this log's admin token: unset it to keep the tokens the log holds (admins create more with createApiToken)",
        );
      const id = `bootstrap-${hashSecret(configured).slice(0, 16)}`;
      const installed = await unlessConcurrentlyDone(() =>
        this.create('bootstrap admin (BOOTSTRAP_ADMIN_TOKEN)', 'admin', context, configured, id),
      );
      // Another replica installed it first: serve once this one has read that, so the token works here too.
      if (!installed) await this.deps.runner.waitFor(await this.deps.store.headPosition());
      return null;
    }
    if (this.model.apiTokens().length > 0) return null;
    const secret = newSecret();
    // Shown before it is written: a token the log holds has always been printed (a crash in between
    // leaves a printed token that is not valid, and the next start generates another).
    announce(secret);
    const created = await unlessConcurrentlyDone(() =>
      this.create('first admin', 'admin', context, secret, FIRST_ADMIN_ID),
    );
    if (!created)
      console.warn('the first admin token above was not stored: another replica created the first admin first');
    return created ? secret : null;
  }
}
