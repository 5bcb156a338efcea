import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The merchant order list by several statuses, newest first, is a merge of one scan per status
 * (OrdersReadService.merchantList). Each scan must come out of the index already in the page's
 * order, created_at then id, so that it stops after a page's worth of rows; without id in the key
 * PostgreSQL read every order of the status and sorted them. Replaces
 * idx_orders_merchant_status_created, whose every use this index also serves.
 */
export class OrderStatusDateIdIndex1796515638679 implements MigrationInterface {
    name = 'OrderStatusDateIdIndex1796515638679'
    transaction = false as const

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_orders_merchant_status_created_id" ON "orders" ("merchant_id", "status", "created_at", "id")
        `);
        await queryRunner.query(`
            DROP INDEX CONCURRENTLY IF EXISTS "public"."idx_orders_merchant_status_created"
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_orders_merchant_status_created" ON "orders" ("merchant_id", "status", "created_at")
        `);
        await queryRunner.query(`
            DROP INDEX CONCURRENTLY IF EXISTS "public"."idx_orders_merchant_status_created_id"
        `);
    }
}
