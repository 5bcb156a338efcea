import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Recording a checkout's payment session updates the order right after it was inserted. Nothing
 * looks orders up by payment_session_id (sessions are found through payments and the provider's
 * own rows), and that index made the update write a new entry in every index of orders, the
 * trigram search index included. Without it, and with room left in each page (fillfactor 90, for
 * pages written from now on), PostgreSQL updates the row in place (a HOT update).
 */
export class OrderSessionHotUpdate1796435764430 implements MigrationInterface {
    name = 'OrderSessionHotUpdate1796435764430'
    transaction = false as const

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX CONCURRENTLY IF EXISTS "public"."idx_orders_payment_session"
        `);
        await queryRunner.query(`
            ALTER TABLE "orders" SET (fillfactor = 90)
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "orders" RESET (fillfactor)
        `);
        await queryRunner.query(`
            CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_orders_payment_session" ON "orders" ("payment_session_id")
        `);
    }
}
