import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The merchant order list's other sort orders (amount, customer e-mail, customer name), each with
 * the id tie-breaker the list sorts by: a large store's page then reads 20 index entries instead
 * of sorting all its orders (1M orders: ~440 ms → ~1 ms, bench/RESULTS.md).
 * Built CONCURRENTLY, outside a transaction, so a live store keeps taking orders meanwhile.
 */
export class OrderListSortIndexes1796426963898 implements MigrationInterface {
    name = 'OrderListSortIndexes1796426963898'
    transaction = false as const

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_orders_merchant_name" ON "orders" ("merchant_id", "customer_name", "id")
        `);
        await queryRunner.query(`
            CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_orders_merchant_email" ON "orders" ("merchant_id", "customer_email", "id")
        `);
        await queryRunner.query(`
            CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_orders_merchant_amount" ON "orders" ("merchant_id", "amount_total", "id")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX CONCURRENTLY IF EXISTS "public"."idx_orders_merchant_amount"
        `);
        await queryRunner.query(`
            DROP INDEX CONCURRENTLY IF EXISTS "public"."idx_orders_merchant_email"
        `);
        await queryRunner.query(`
            DROP INDEX CONCURRENTLY IF EXISTS "public"."idx_orders_merchant_name"
        `);
    }

}
