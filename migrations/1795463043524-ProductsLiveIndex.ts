import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The products index for lists, made partial (live products only: every list filters on
 * deleted_at IS NULL) and ending in id, the tie-breaker of every list's order: a storefront page is
 * read straight in index order and its COUNT becomes an index-only scan (bench/RESULTS.md).
 */
export class ProductsLiveIndex1795463043524 implements MigrationInterface {
    name = 'ProductsLiveIndex1795463043524'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."idx_products_merchant_status"
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_products_live_merchant_status" ON "products" ("merchant_id", "status", "created_at", "id")
            WHERE deleted_at IS NULL
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."idx_products_live_merchant_status"
        `);
        // hand-written: the generator lists the old index's columns in the wrong order.
        await queryRunner.query(`
            CREATE INDEX "idx_products_merchant_status" ON "products" ("merchant_id", "status", "created_at")
        `);
    }

}
