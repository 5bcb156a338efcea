import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import { preparedQuery } from './prepared-query';

type Column = EntityMetadata['columns'][number];

/**
 * Set-based writes of many rows in one statement each. The rows travel as ONE jsonb parameter (an
 * array of arrays, serialized natively by JSON.stringify) and `jsonb_array_elements` turns it back
 * into rows, so the statement text is the same for 1 or 1,000 rows. Column names, types and value
 * transformers come from the entity's metadata, so these follow the entities like TypeORM's own
 * insert and update do. Callers scope every row themselves (merchant_id is a key or a value).
 */

/** The SQL reading one column's value from a row's array (`e`) at `i`, typed as the column. */
function read(manager: EntityManager, column: Column, i: number): string {
  if (column.isArray) return `CASE WHEN jsonb_typeof(e->${i}) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(e->${i})) END`;
  const type = manager.connection.driver.normalizeType(column);
  if (type === 'jsonb' || type === 'json') return `NULLIF(e->${i}, 'null'::jsonb)`;
  // Strings are assigned to varchar(n)/char(n) with the usual length checks.
  if (type === 'character varying' || type === 'character' || type === 'text') return `(e->>${i})`;
  if (type === 'enum') return `(e->>${i})::"${column.enumName ?? `${column.entityMetadata.tableName}_${column.databaseName}_enum`}"`;
  return `(e->>${i})::${type}`;
}

function value(column: Column, entityValue: unknown): unknown {
  const transformer = column.transformer;
  const v = transformer ? (Array.isArray(transformer) ? transformer.reduce((x, t) => t.to(x), entityValue) : transformer.to(entityValue)) : entityValue;
  return v === undefined ? null : v;
}

function columnsOf<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, properties: readonly string[]): { metadata: EntityMetadata; columns: Column[] } {
  const metadata = manager.connection.getMetadata(target);
  const columns = properties.map((property) => {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${metadata.name} has no column ${property}`);
    return column;
  });
  return { metadata, columns };
}

/** INSERT … SELECT: the given properties of every row (missing ones are NULL, not the column default). */
export async function insertRows<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, rows: readonly Partial<T>[], properties: readonly (keyof T & string)[]): Promise<void> {
  if (!rows.length) return;
  const { sql, parameters } = insertRowsStatement(manager, target, rows, properties);
  await preparedQuery(manager, sql, parameters);
}

/**
 * insertRows' statement, for callers that run it inside a larger one: its one parameter is $1, or
 * `$<parameter>` when the larger statement has others before it. `source`, when given, rewrites
 * that jsonb before its rows are read (to fill in a value the larger statement computes).
 */
export function insertRowsStatement<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: readonly Partial<T>[],
  properties: readonly (keyof T & string)[],
  parameter = 1,
  source: (jsonb: string) => string = (jsonb) => jsonb,
): { sql: string; parameters: [string] } {
  const { columns, head } = insertShape(manager, target, properties);
  const data = rows.map((row) => columns.map((c) => value(c, row[c.propertyName as keyof T])));
  return { sql: `${head}${source(`$${parameter}::jsonb`)}) AS e`, parameters: [JSON.stringify(data)] };
}

/** Per entity and column list, the columns and the statement up to its jsonb source: built once, not for every insert. */
const insertShapes = new WeakMap<EntityMetadata, Map<string, { columns: Column[]; head: string }>>();

function insertShape<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, properties: readonly string[]): { columns: Column[]; head: string } {
  const metadata = manager.connection.getMetadata(target);
  let shapes = insertShapes.get(metadata);
  if (!shapes) insertShapes.set(metadata, (shapes = new Map()));
  const key = properties.join(',');
  let shape = shapes.get(key);
  if (!shape) {
    const { columns } = columnsOf(manager, target, properties);
    const head = `INSERT INTO "${metadata.tableName}" (${columns.map((c) => `"${c.databaseName}"`).join(', ')})
     SELECT ${columns.map((c, i) => read(manager, c, i)).join(', ')} FROM jsonb_array_elements(`;
    shapes.set(key, (shape = { columns, head }));
  }
  return shape;
}

export interface RowUpdate<T> {
  /** Identifies the row (e.g. id and merchantId); each key may appear once per call. */
  key: Partial<T>;
  /** Only these columns are written; the row's other columns keep whatever they hold. */
  changes: Partial<T>;
}

/**
 * UPDATE … FROM: each row gets its own changes (a column a row does not change keeps its value,
 * even if another row changes it), and updated_at is bumped as TypeORM's update does. Returns the
 * number of rows updated.
 */
export async function updateRows<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, updates: readonly RowUpdate<T>[], keyProperties: readonly (keyof T & string)[]): Promise<number> {
  if (!updates.length) return 0;
  const changed = [...new Set(updates.flatMap((u) => Object.keys(u.changes)))].filter((p) => !keyProperties.includes(p as keyof T & string));
  if (!changed.length) return 0;
  const { metadata, columns: keys } = columnsOf(manager, target, keyProperties);
  const { columns } = columnsOf(manager, target, changed);
  // Each row: its keys, then for each changed column whether this row changes it and the value.
  const data = updates.map((u) => [
    ...keys.map((c) => value(c, u.key[c.propertyName as keyof T])),
    ...columns.flatMap((c) => (c.propertyName in u.changes ? [true, value(c, u.changes[c.propertyName as keyof T])] : [false, null])),
  ]);
  const set = columns.map((c, n) => {
    const at = keys.length + 2 * n;
    return `"${c.databaseName}" = CASE WHEN (e->>${at})::boolean THEN ${read(manager, c, at + 1)} ELSE t."${c.databaseName}" END`;
  });
  if (metadata.updateDateColumn) set.push(`"${metadata.updateDateColumn.databaseName}" = CURRENT_TIMESTAMP`);
  const [, count] = (await manager.query(
    `UPDATE "${metadata.tableName}" AS t SET ${set.join(', ')}
       FROM jsonb_array_elements($1::jsonb) AS e
      WHERE ${keys.map((c, i) => `t."${c.databaseName}" = ${read(manager, c, i)}`).join(' AND ')}`,
    [JSON.stringify(data)],
  )) as [unknown, number];
  return count;
}

/** DELETE … USING: rows matching any of the keys (a null key value matches NULL). */
export async function deleteRows<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, keys: readonly Partial<T>[], keyProperties: readonly (keyof T & string)[]): Promise<void> {
  if (!keys.length) return;
  const { metadata, columns } = columnsOf(manager, target, keyProperties);
  const data = keys.map((key) => columns.map((c) => value(c, key[c.propertyName as keyof T])));
  await manager.query(
    `DELETE FROM "${metadata.tableName}" AS t USING jsonb_array_elements($1::jsonb) AS e
      WHERE ${columns.map((c, i) => `t."${c.databaseName}" ${c.isNullable ? 'IS NOT DISTINCT FROM' : '='} ${read(manager, c, i)}`).join(' AND ')}`,
    [JSON.stringify(data)],
  );
}
