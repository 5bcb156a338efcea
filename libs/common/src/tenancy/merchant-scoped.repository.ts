import {
  DeepPartial,
  EntityManager,
  EntityTarget,
  FindManyOptions,
  FindOptionsWhere,
  ObjectLiteral,
  Repository,
  SelectQueryBuilder,
} from 'typeorm';
import { NotFoundError } from '../errors/app-exception';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

export class MissingMerchantScopeError extends Error {
  constructor(entity: string) {
    super(`Unscoped access to ${entity}: a merchant id is required`);
    this.name = 'MissingMerchantScopeError';
  }
}

export interface MerchantOwned extends ObjectLiteral {
  id: string;
  merchantId: string;
}

/**
 * The only way services read and write merchant-owned rows. Every method takes the merchant id
 * first and throws when it is empty: TypeORM silently drops `undefined` from a WHERE clause, which
 * is how unscoped queries leak one merchant's data to another. Rows of other merchants are simply
 * not found (404), never "forbidden", so their existence does not leak either.
 */
export class MerchantScopedRepository<T extends MerchantOwned> {
  constructor(
    private readonly repository: Repository<T>,
    private readonly label = repository.metadata.name,
  ) {}

  static for<E extends MerchantOwned>(manager: EntityManager, target: EntityTarget<E>): MerchantScopedRepository<E> {
    return new MerchantScopedRepository(manager.getRepository(target));
  }

  /** The same repository inside a transaction. */
  withManager(manager: EntityManager): MerchantScopedRepository<T> {
    return new MerchantScopedRepository(manager.getRepository<T>(this.repository.target), this.label);
  }

  private scope(merchantId: string): string {
    if (!merchantId || typeof merchantId !== 'string') throw new MissingMerchantScopeError(this.label);
    return merchantId;
  }

  private where(merchantId: string, where: FindOptionsWhere<T> = {}): FindOptionsWhere<T> {
    return { ...where, merchantId: this.scope(merchantId) } as FindOptionsWhere<T>;
  }

  async find(merchantId: string, options: Omit<FindManyOptions<T>, 'where'> & { where?: FindOptionsWhere<T> } = {}): Promise<T[]> {
    return this.repository.find({ ...options, where: this.where(merchantId, options.where) });
  }

  async findAndCount(merchantId: string, options: Omit<FindManyOptions<T>, 'where'> & { where?: FindOptionsWhere<T> } = {}): Promise<[T[], number]> {
    return this.repository.findAndCount({ ...options, where: this.where(merchantId, options.where) });
  }

  async findOneBy(merchantId: string, where: FindOptionsWhere<T>): Promise<T | null> {
    return this.repository.findOneBy(this.where(merchantId, where));
  }

  /** The row, or NotFoundError (also for another merchant's id or a malformed id). */
  async getById(merchantId: string, id: string, options: { lock?: boolean } = {}): Promise<T> {
    this.scope(merchantId);
    if (!isUuid(id)) throw new NotFoundError(this.label, String(id).slice(0, 64));
    const row = await this.repository.findOne({
      where: this.where(merchantId, { id } as FindOptionsWhere<T>),
      ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!row) throw new NotFoundError(this.label, id);
    return row;
  }

  async count(merchantId: string, where?: FindOptionsWhere<T>): Promise<number> {
    return this.repository.countBy(this.where(merchantId, where));
  }

  /** Creates or updates a row of this merchant; refuses a row that claims another merchant. */
  async save(merchantId: string, entity: DeepPartial<T>): Promise<T> {
    this.scope(merchantId);
    const claimed = (entity as { merchantId?: string }).merchantId;
    if (claimed && claimed !== merchantId) throw new MissingMerchantScopeError(`${this.label} (merchant mismatch)`);
    return this.repository.save({ ...entity, merchantId } as DeepPartial<T>);
  }

  async deleteById(merchantId: string, id: string): Promise<void> {
    const row = await this.getById(merchantId, id);
    await this.repository.delete({ id: row.id, merchantId: this.scope(merchantId) } as FindOptionsWhere<T>);
  }

  /** A query builder already restricted to the merchant (`alias.merchant_id = :scopeMerchantId`). */
  createQueryBuilder(merchantId: string, alias: string): SelectQueryBuilder<T> {
    return this.repository.createQueryBuilder(alias).where(`${alias}.merchantId = :scopeMerchantId`, { scopeMerchantId: this.scope(merchantId) });
  }
}
