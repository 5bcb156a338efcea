import { MigrationInterface, QueryRunner } from "typeorm";

export class RefundsTransfers1795463027563 implements MigrationInterface {
    name = 'RefundsTransfers1795463027563'

    public async up(queryRunner: QueryRunner): Promise<void> {
        // Generated. Refunds (the reservation against captured), merchant transfers (payouts to
        // connected accounts) and the merchants' payout settings.
        await queryRunner.query(`
            CREATE TYPE "public"."refund_reason" AS ENUM(
                'requested_by_customer',
                'duplicate',
                'fraudulent'
            )
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."refund_status" AS ENUM('pending', 'succeeded', 'failed')
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."refund_source" AS ENUM(
                'api',
                'order_cancel',
                'late_payment',
                'provider'
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "refunds" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "order_id" uuid NOT NULL,
                "payment_id" uuid NOT NULL,
                "payment_intent_id" character varying(255),
                "amount" bigint NOT NULL,
                "currency" character(3) NOT NULL,
                "reason" "public"."refund_reason",
                "status" "public"."refund_status" NOT NULL DEFAULT 'pending',
                "source" "public"."refund_source" NOT NULL,
                "note" character varying(500),
                "idempotency_key" character varying(255),
                "provider_refund_id" character varying(255),
                "provider_event_id" character varying(255),
                "attempts" integer NOT NULL DEFAULT '0',
                "failure_message" character varying(500),
                "requested_by" character varying(100),
                "succeeded_at" TIMESTAMP WITH TIME ZONE,
                "failed_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "ck_refunds_amount" CHECK ("amount" > 0),
                CONSTRAINT "PK_5106efb01eeda7e49a78b869738" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_refunds_idempotency_key" ON "refunds" ("idempotency_key")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_refunds_provider_refund" ON "refunds" ("provider_refund_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_refunds_order" ON "refunds" ("order_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_refunds_merchant_created" ON "refunds" ("merchant_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_refunds_payment_status" ON "refunds" ("payment_id", "status")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."merchant_transfer_status" AS ENUM(
                'scheduled',
                'processing',
                'paid',
                'failed',
                'cancelled'
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "merchant_transfers" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "order_id" uuid NOT NULL,
                "payment_id" uuid NOT NULL,
                "connected_account_id" character varying(255) NOT NULL,
                "currency" character(3) NOT NULL,
                "gross_amount" bigint NOT NULL,
                "refunded_amount" bigint NOT NULL DEFAULT '0',
                "platform_fee" bigint NOT NULL,
                "net_amount" bigint NOT NULL,
                "platform_fee_bps" integer NOT NULL,
                "status" "public"."merchant_transfer_status" NOT NULL DEFAULT 'scheduled',
                "transfer_delay_days" integer NOT NULL,
                "available_on" TIMESTAMP WITH TIME ZONE NOT NULL,
                "source_charge_id" character varying(255),
                "provider_transfer_id" character varying(255),
                "attempts" integer NOT NULL DEFAULT '0',
                "failure_message" character varying(500),
                "paid_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "ck_merchant_transfers_fee_bps" CHECK (
                    "platform_fee_bps" BETWEEN 0 AND 10000
                ),
                CONSTRAINT "ck_merchant_transfers_amounts" CHECK (
                    "gross_amount" >= 0
                    AND "refunded_amount" >= 0
                    AND "platform_fee" >= 0
                    AND "net_amount" >= 0
                    AND "net_amount" = "gross_amount" - "refunded_amount" - "platform_fee"
                ),
                CONSTRAINT "PK_306b0ce923a45b55cb3343b1f8d" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_merchant_transfers_due" ON "merchant_transfers" ("status", "available_on")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_merchant_transfers_merchant_created" ON "merchant_transfers" ("merchant_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_merchant_transfers_payment" ON "merchant_transfers" ("payment_id")
        `);
        await queryRunner.query(`
            ALTER TABLE "merchants"
            ADD "connected_account_id" character varying(255)
        `);
        await queryRunner.query(`
            ALTER TABLE "merchants"
            ADD "platform_fee_percentage" numeric(5, 2)
        `);
        await queryRunner.query(`
            ALTER TABLE "merchants"
            ADD CONSTRAINT "ck_merchants_platform_fee" CHECK (
                    "platform_fee_percentage" IS NULL
                    OR (
                        "platform_fee_percentage" >= 0
                        AND "platform_fee_percentage" <= 100
                    )
                )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "merchants" DROP CONSTRAINT "ck_merchants_platform_fee"
        `);
        await queryRunner.query(`
            ALTER TABLE "merchants" DROP COLUMN "platform_fee_percentage"
        `);
        await queryRunner.query(`
            ALTER TABLE "merchants" DROP COLUMN "connected_account_id"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_merchant_transfers_payment"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_merchant_transfers_merchant_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_merchant_transfers_due"
        `);
        await queryRunner.query(`
            DROP TABLE "merchant_transfers"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."merchant_transfer_status"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_refunds_payment_status"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_refunds_merchant_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_refunds_order"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_refunds_provider_refund"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_refunds_idempotency_key"
        `);
        await queryRunner.query(`
            DROP TABLE "refunds"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."refund_source"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."refund_status"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."refund_reason"
        `);
    }

}
