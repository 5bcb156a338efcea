import { MigrationInterface, QueryRunner } from "typeorm";

export class PaymentEvents1795462596709 implements MigrationInterface {
    name = 'PaymentEvents1795462596709'

    public async up(queryRunner: QueryRunner): Promise<void> {
        // Generated. The processed-event store of provider events, and the dispute columns of payments.
        await queryRunner.query(`
            CREATE TYPE "public"."payment_event_status" AS ENUM('received', 'processed', 'ignored', 'failed')
        `);
        await queryRunner.query(`
            CREATE TABLE "payment_events" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "event_id" character varying(255) NOT NULL,
                "provider" character varying(20) NOT NULL,
                "source" character varying(20) NOT NULL,
                "type" character varying(100) NOT NULL,
                "order_id" uuid,
                "session_id" character varying(255),
                "payment_intent_id" character varying(255),
                "payload" jsonb NOT NULL,
                "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "status" "public"."payment_event_status" NOT NULL DEFAULT 'received',
                "attempts" integer NOT NULL DEFAULT '0',
                "last_error" character varying(1000),
                "outcome" character varying(500),
                "processed_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_9f1d16fc78b33e676940a32e8b5" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_payment_events_status" ON "payment_events" ("status", "created_at")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_payment_events_order" ON "payment_events" ("order_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_payment_events_event_id" ON "payment_events" ("event_id")
        `);
        await queryRunner.query(`
            ALTER TABLE "payments"
            ADD "dispute_id" character varying(255)
        `);
        await queryRunner.query(`
            ALTER TABLE "payments"
            ADD "disputed_at" TIMESTAMP WITH TIME ZONE
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "payments" DROP COLUMN "disputed_at"
        `);
        await queryRunner.query(`
            ALTER TABLE "payments" DROP COLUMN "dispute_id"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_payment_events_event_id"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_payment_events_order"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_payment_events_status"
        `);
        await queryRunner.query(`
            DROP TABLE "payment_events"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."payment_event_status"
        `);
    }

}
