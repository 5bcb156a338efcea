import type { TestApp } from '../harness/app';

/** An audit_logs row as stored (snake_case columns). */
export interface AuditRow {
  id: string;
  merchant_id: string | null;
  actor_type: string;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  changes: Record<string, { before: unknown; after: unknown }>;
  request_id: string | null;
  ip: string | null;
  created_at: Date;
}

/** Audit rows straight from the database, oldest first, optionally narrowed by action and entity id. */
export async function auditRows(t: TestApp, filter: { action?: string; entityId?: string; merchantId?: string; requestId?: string } = {}): Promise<AuditRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, value: unknown) => {
    params.push(value);
    where.push(`${column} = $${params.length}`);
  };
  if (filter.action) add('action', filter.action);
  if (filter.entityId) add('entity_id', filter.entityId);
  if (filter.merchantId) add('merchant_id', filter.merchantId);
  if (filter.requestId) add('request_id', filter.requestId);
  return t.dataSource.query(
    `SELECT * FROM audit_logs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`,
    params,
  );
}

/** The one audit row a request wrote for an action; fails loudly when there is not exactly one. */
export async function onlyAuditRow(t: TestApp, requestId: string, action: string): Promise<AuditRow> {
  const rows = await auditRows(t, { requestId, action });
  if (rows.length !== 1) throw new Error(`expected one ${action} audit row for request ${requestId}, found ${rows.length}`);
  return rows[0];
}

/** Every audit row serialized, for "no secret anywhere" checks. */
export async function allAuditText(t: TestApp): Promise<string> {
  const rows: { row: string }[] = await t.dataSource.query(`SELECT row_to_json(a)::text AS row FROM audit_logs a`);
  return rows.map((r) => r.row).join('\n');
}
