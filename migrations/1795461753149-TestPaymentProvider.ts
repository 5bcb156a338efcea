import { MigrationInterface, QueryRunner } from "typeorm";

export class TestPaymentProvider1795461753149 implements MigrationInterface {
    name = 'TestPaymentProvider1795461753149'

    public async up(queryRunner: QueryRunner): Promise<void> {
        // Generated. The test payment provider's sessions and refunds (shared by API and worker).
        await queryRunner.query(`
            CREATE TYPE "public"."test_payment_session_status" AS ENUM('pending', 'paid', 'failed', 'expired')
        `);
        await queryRunner.query(`
            CREATE TABLE "test_payment_sessions" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "idempotency_key" character varying(255) NOT NULL,
                "order_id" uuid NOT NULL,
                "order_number" character varying(64) NOT NULL,
                "merchant_id" uuid NOT NULL,
                "amount_minor" bigint NOT NULL,
                "currency" character(3) NOT NULL,
                "status" "public"."test_payment_session_status" NOT NULL DEFAULT 'pending',
                "payment_intent_id" character varying(64),
                "charge_id" character varying(64),
                "refunded_minor" bigint NOT NULL DEFAULT '0',
                "failure_message" character varying(500),
                "success_url" character varying(2000) NOT NULL,
                "cancel_url" character varying(2000) NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "settled_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "ck_test_payment_sessions_refunded" CHECK (
                    "refunded_minor" >= 0
                    AND "refunded_minor" <= "amount_minor"
                ),
                CONSTRAINT "PK_7b3c4404a3318bc9159e1a6e1f0" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_test_payment_sessions_order" ON "test_payment_sessions" ("order_id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_test_payment_sessions_payment_intent" ON "test_payment_sessions" ("payment_intent_id")
            WHERE payment_intent_id IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_test_payment_sessions_idempotency_key" ON "test_payment_sessions" ("idempotency_key")
        `);
        await queryRunner.query(`
            CREATE TABLE "test_payment_refunds" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "idempotency_key" character varying(255) NOT NULL,
                "session_id" uuid NOT NULL,
                "payment_intent_id" character varying(64) NOT NULL,
                "amount_minor" bigint NOT NULL,
                "currency" character(3) NOT NULL,
                "reason" character varying(40),
                CONSTRAINT "ck_test_payment_refunds_amount_positive" CHECK ("amount_minor" > 0),
                CONSTRAINT "PK_4f9f37b5241bd63ce6f7b1ed910" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_test_payment_refunds_session" ON "test_payment_refunds" ("session_id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_test_payment_refunds_idempotency_key" ON "test_payment_refunds" ("idempotency_key")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."uq_test_payment_refunds_idempotency_key"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_test_payment_refunds_session"
        `);
        await queryRunner.query(`
            DROP TABLE "test_payment_refunds"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_test_payment_sessions_idempotency_key"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_test_payment_sessions_payment_intent"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_test_payment_sessions_order"
        `);
        await queryRunner.query(`
            DROP TABLE "test_payment_sessions"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."test_payment_session_status"
        `);
    }

}
