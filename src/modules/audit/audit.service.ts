import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { insertRows, isUuid, RequestContext, ValidationError } from '@app/common';
import { AuditLog } from './entities/audit-log.entity';

const SECRET_FIELD = /(password|secret|token|hash|api_?key|credential)/i;
const REDACTED = '[redacted]';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string | null;
  merchantId?: string | null;
  /** Field values before and after; only the fields that differ are kept. */
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

const AUDIT_COLUMNS = ['merchantId', 'actorType', 'actorId', 'actorRole', 'action', 'entityType', 'entityId', 'changes', 'requestId', 'ip'] as const;

const comparable = (value: unknown): unknown => (value instanceof Date ? value.toISOString() : value);

/** `{field: {before, after}}` for fields whose values differ, with secret-looking fields redacted. */
export function diffFields(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    if (key === 'updatedAt' || key === 'createdAt') continue;
    const was = comparable(before?.[key] ?? null);
    const now = comparable(after?.[key] ?? null);
    if (JSON.stringify(was) === JSON.stringify(now)) continue;
    changes[key] = SECRET_FIELD.test(key)
      ? { before: was === null ? null : REDACTED, after: now === null ? null : REDACTED }
      : { before: was, after: now };
  }
  return changes;
}

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Writes the entry with the caller's transaction, so it exists exactly when the change does. */
  async record(manager: EntityManager, ctx: RequestContext | null, entry: AuditEntry): Promise<void> {
    await manager.getRepository(AuditLog).insert(this.row(ctx, entry));
  }

  /** Many entries of one actor in a single statement (bulk operations such as the CSV import); same rows as record() writes. */
  async recordMany(manager: EntityManager, ctx: RequestContext | null, entries: AuditEntry[]): Promise<void> {
    await insertRows(manager, AuditLog, entries.map((entry) => this.row(ctx, entry)), AUDIT_COLUMNS);
  }

  private row(ctx: RequestContext | null, entry: AuditEntry) {
    const principal = ctx?.principal ?? null;
    return {
      merchantId: entry.merchantId ?? null,
      actorType: principal ? principal.kind : ('system' as const),
      actorId: principal ? (principal.kind === 'api_key' ? principal.apiKeyId ?? null : principal.userId) : null,
      actorRole: principal?.role ?? null,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      changes: diffFields(entry.before, entry.after) as AuditLog['changes'] & object,
      requestId: ctx?.requestId ?? null,
      ip: ctx?.ip ?? null,
    };
  }

  /** Keyset page, newest first. The cursor is opaque to clients: base64 of `created_at|id`. */
  async list(filter: {
    merchantId?: string;
    action?: string;
    entityType?: string;
    entityId?: string;
    actorId?: string;
    since?: Date;
    until?: Date;
    cursor?: string;
    limit: number;
  }): Promise<{ items: AuditLog[]; next_cursor: string | null }> {
    const qb = this.dataSource.getRepository(AuditLog).createQueryBuilder('a');
    if (filter.merchantId) qb.andWhere('a.merchantId = :merchantId', { merchantId: filter.merchantId });
    if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    if (filter.entityType) qb.andWhere('a.entityType = :entityType', { entityType: filter.entityType });
    if (filter.entityId) qb.andWhere('a.entityId = :entityId', { entityId: filter.entityId });
    if (filter.actorId) qb.andWhere('a.actorId = :actorId', { actorId: filter.actorId });
    if (filter.since) qb.andWhere('a.createdAt >= :since', { since: filter.since });
    if (filter.until) qb.andWhere('a.createdAt < :until', { until: filter.until });
    const cursor = decodeCursor(filter.cursor);
    if (cursor) qb.andWhere('(a.createdAt, a.id) < (:cursorAt, :cursorId)', { cursorAt: cursor.createdAt, cursorId: cursor.id });
    // The cursor keeps Postgres' microseconds; a JS Date would round them and skip or repeat rows.
    qb.addSelect(`to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, 'cursor_at');
    const { entities, raw } = await qb.orderBy('a.createdAt', 'DESC').addOrderBy('a.id', 'DESC').limit(filter.limit + 1).getRawAndEntities();
    const items = entities.slice(0, filter.limit);
    const last = items[items.length - 1];
    const lastAt = raw[items.length - 1]?.cursor_at as string | undefined;
    return { items, next_cursor: entities.length > filter.limit && last && lastAt ? encodeCursor(lastAt, last.id) : null };
  }
}

function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(`${createdAt}|${id}`).toString('base64url');
}

const CURSOR_AT = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function decodeCursor(cursor?: string): { createdAt: string; id: string } | null {
  if (!cursor) return null;
  const parts = Buffer.from(cursor, 'base64url').toString().split('|');
  const [createdAt, id] = parts;
  // Exactly what encodeCursor wrote, and a real instant (Feb 30 or 24:00 would make Postgres fail with a 500).
  const valid =
    parts.length === 2 &&
    CURSOR_AT.test(createdAt ?? '') &&
    !Number.isNaN(Date.parse(createdAt)) &&
    new Date(createdAt).toISOString().slice(0, 19) === createdAt.slice(0, 19) &&
    isUuid(id);
  if (!valid) {
    throw new ValidationError('cursor: not a cursor this API returned', { cursor: ['is not valid'] });
  }
  return { createdAt, id };
}
