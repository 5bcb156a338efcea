import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A search term shaped like the start of an order number ("ORD-20261202") can only match numbers
 * from their first character. Trigrams answer it badly: every number of the same month shares most
 * of them (134,234 candidates rechecked over 87,434 heap pages for 2,700 matches, 1.2 s, at 1M
 * orders: bench/RESULTS.md). A pattern-ops btree answers `order_number LIKE 'ORD-20261202%'` as a
 * range, whatever the database's collation.
 */
export class OrderNumberPrefixIndex1796509377482 implements MigrationInterface {
    name = 'OrderNumberPrefixIndex1796509377482'
    transaction = false as const

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_orders_merchant_number_prefix" ON "orders" ("merchant_id", "order_number" varchar_pattern_ops)
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX CONCURRENTLY IF EXISTS "public"."idx_orders_merchant_number_prefix"
        `);
    }
}
