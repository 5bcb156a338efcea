import { MigrationInterface, QueryRunner } from "typeorm";

export class Orders1795461657664 implements MigrationInterface {
    name = 'Orders1795461657664'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "processed_events" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "consumer" character varying(100) NOT NULL,
                "event_id" character varying(255) NOT NULL,
                "event_name" character varying(100) NOT NULL,
                CONSTRAINT "PK_processed_events" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_processed_events" ON "processed_events" ("consumer", "event_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_processed_events_created" ON "processed_events" ("created_at")
        `);
        await queryRunner.query(`
            CREATE TABLE "merchant_daily_sales" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "day" date NOT NULL,
                "currency" character(3) NOT NULL,
                "orders_placed" integer NOT NULL DEFAULT '0',
                "orders_paid" integer NOT NULL DEFAULT '0',
                "orders_cancelled" integer NOT NULL DEFAULT '0',
                "items_sold" integer NOT NULL DEFAULT '0',
                "gross_paid" bigint NOT NULL DEFAULT '0',
                "refunded" bigint NOT NULL DEFAULT '0',
                CONSTRAINT "PK_merchant_daily_sales" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_merchant_daily_sales" ON "merchant_daily_sales" ("merchant_id", "day", "currency")
        `);
        await queryRunner.query(`
            CREATE TABLE "checkout_idempotency_keys" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "key" character varying(200) NOT NULL,
                "request_hash" character(64) NOT NULL,
                "order_id" uuid NOT NULL,
                CONSTRAINT "PK_a154990b7e174e25d0dac2af732" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_checkout_idempotency_keys" ON "checkout_idempotency_keys" ("merchant_id", "key")
        `);
        await queryRunner.query(`
            CREATE TABLE "checkout_settings" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "flat_shipping_rates" jsonb NOT NULL DEFAULT '{}',
                "free_shipping_thresholds" jsonb NOT NULL DEFAULT '{}',
                "prices_include_tax" boolean NOT NULL DEFAULT false,
                "default_tax_rate_bps" integer NOT NULL DEFAULT '0',
                "tax_rates" jsonb NOT NULL DEFAULT '{}',
                "tax_shipping" boolean NOT NULL DEFAULT true,
                CONSTRAINT "PK_40577cc65cd6a32828256d218e0" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_checkout_settings_merchant" ON "checkout_settings" ("merchant_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "order_items" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "order_id" uuid NOT NULL,
                "position" integer NOT NULL,
                "product_id" uuid NOT NULL,
                "variant_id" uuid NOT NULL,
                "product_name" character varying(300) NOT NULL,
                "sku" character varying(100),
                "variant_attributes" jsonb NOT NULL DEFAULT '{}',
                "image_url" character varying(2048),
                "quantity" integer NOT NULL,
                "unit_price" bigint NOT NULL,
                "total" bigint NOT NULL,
                CONSTRAINT "ck_order_items_quantity_positive" CHECK ("quantity" > 0),
                CONSTRAINT "PK_005269d8574e6fac0493715c308" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_order_items_merchant_product" ON "order_items" ("merchant_id", "product_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_order_items_order" ON "order_items" ("order_id", "position")
        `);
        await queryRunner.query(`
            CREATE TABLE "order_number_counters" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "day" date NOT NULL,
                "last_value" integer NOT NULL,
                CONSTRAINT "PK_order_number_counters" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_order_number_counters" ON "order_number_counters" ("merchant_id", "day")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."order_status" AS ENUM(
                'pending',
                'paid',
                'confirmed',
                'processing',
                'awaiting_shipment',
                'shipped',
                'in_transit',
                'out_for_delivery',
                'delivered',
                'completed',
                'cancelled',
                'refunded',
                'failed',
                'returned'
            )
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."order_transition_source" AS ENUM(
                'customer',
                'merchant',
                'system',
                'carrier',
                'payment'
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "orders" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "order_number" character varying(32) NOT NULL,
                "status" "public"."order_status" NOT NULL DEFAULT 'pending',
                "version" integer NOT NULL DEFAULT '1',
                "customer_user_id" uuid,
                "customer_email" character varying(320) NOT NULL,
                "customer_name" character varying(200) NOT NULL,
                "currency" character(3) NOT NULL,
                "subtotal" bigint NOT NULL,
                "shipping_fee" bigint NOT NULL,
                "tax_amount" bigint NOT NULL,
                "amount_total" bigint NOT NULL,
                "prices_include_tax" boolean NOT NULL DEFAULT false,
                "tax_rate_bps" integer NOT NULL DEFAULT '0',
                "shipping_rate_id" character varying(100),
                "shipping_address" jsonb NOT NULL,
                "reservation_id" uuid,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "payment_provider" character varying(20),
                "payment_session_id" character varying(255),
                "stripe_payment_intent_id" character varying(255),
                "checkout_url" text,
                "success_url" character varying(500),
                "cancel_url" character varying(500),
                "refunded_amount" bigint NOT NULL DEFAULT '0',
                "tracking_number" character varying(100),
                "carrier" character varying(100),
                "tracking_url" character varying(2048),
                "label_url" character varying(2048),
                "label_state" character varying(30),
                "utm_source" character varying(200),
                "utm_medium" character varying(200),
                "utm_campaign" character varying(200),
                "utm_term" character varying(200),
                "utm_content" character varying(200),
                "gclid" character varying(200),
                "paid_at" TIMESTAMP WITH TIME ZONE,
                "shipped_at" TIMESTAMP WITH TIME ZONE,
                "delivered_at" TIMESTAMP WITH TIME ZONE,
                "completed_at" TIMESTAMP WITH TIME ZONE,
                "cancelled_at" TIMESTAMP WITH TIME ZONE,
                "cancelled_by" "public"."order_transition_source",
                "cancellation_reason" character varying(500),
                "refunded_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "ck_orders_amounts" CHECK (
                    "subtotal" >= 0
                    AND "shipping_fee" >= 0
                    AND "tax_amount" >= 0
                    AND "amount_total" >= 0
                ),
                CONSTRAINT "PK_710e2d4957aa5878dfe94e4ac2f" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_orders_payment_intent" ON "orders" ("stripe_payment_intent_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_orders_payment_session" ON "orders" ("payment_session_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_orders_customer_created" ON "orders" ("customer_user_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_orders_merchant_status_created" ON "orders" ("merchant_id", "status", "created_at")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_orders_merchant_created" ON "orders" ("merchant_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_orders_merchant_number" ON "orders" ("merchant_id", "order_number")
        `);
        await queryRunner.query(`
            CREATE TABLE "order_status_history" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "order_id" uuid NOT NULL,
                "from_status" "public"."order_status",
                "to_status" "public"."order_status" NOT NULL,
                "source" "public"."order_transition_source" NOT NULL,
                "note" character varying(1000),
                "actor_id" character varying(255),
                CONSTRAINT "PK_e6c66d853f155531985fc4f6ec8" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_order_status_history_order" ON "order_status_history" ("order_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."payment_status" AS ENUM(
                'pending',
                'succeeded',
                'failed',
                'expired',
                'canceled'
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "payments" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "order_id" uuid NOT NULL,
                "provider" character varying(20) NOT NULL,
                "session_id" character varying(255) NOT NULL,
                "payment_intent_id" character varying(255),
                "charge_id" character varying(255),
                "status" "public"."payment_status" NOT NULL DEFAULT 'pending',
                "amount" bigint NOT NULL,
                "currency" character(3) NOT NULL,
                "captured" bigint NOT NULL DEFAULT '0',
                "refunded" bigint NOT NULL DEFAULT '0',
                "platform_fee" bigint,
                "connected_account_id" character varying(255),
                "checkout_url" text,
                "client_secret" text,
                "expires_at" TIMESTAMP WITH TIME ZONE,
                "paid_at" TIMESTAMP WITH TIME ZONE,
                "failure_message" character varying(500),
                "last_checked_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "ck_payments_refund_cap" CHECK (
                    "refunded" >= 0
                    AND "refunded" <= "captured"
                ),
                CONSTRAINT "PK_197ab7af18c93fbb0c9b28b4a59" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_payments_intent" ON "payments" ("payment_intent_id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_payments_session" ON "payments" ("provider", "session_id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_payments_order" ON "payments" ("order_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_orders_search" ON "orders" USING gin ("order_number" gin_trgm_ops, "customer_email" gin_trgm_ops, "customer_name" gin_trgm_ops)
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."idx_orders_search"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_payments_order"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_payments_session"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_payments_intent"
        `);
        await queryRunner.query(`
            DROP TABLE "payments"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_order_status_history_order"
        `);
        await queryRunner.query(`
            DROP TABLE "order_status_history"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_orders_merchant_number"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_orders_merchant_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_orders_merchant_status_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_orders_customer_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_orders_payment_session"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_orders_payment_intent"
        `);
        await queryRunner.query(`
            DROP TABLE "orders"
        `);
        await queryRunner.query(`
            DROP TABLE "order_number_counters"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_order_items_order"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_order_items_merchant_product"
        `);
        await queryRunner.query(`
            DROP TABLE "order_items"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_checkout_settings_merchant"
        `);
        await queryRunner.query(`
            DROP TABLE "checkout_settings"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_checkout_idempotency_keys"
        `);
        await queryRunner.query(`
            DROP TABLE "checkout_idempotency_keys"
        `);
        await queryRunner.query(`
            DROP TABLE "merchant_daily_sales"
        `);
        await queryRunner.query(`
            DROP TABLE "processed_events"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."payment_status"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."order_transition_source"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."order_status"
        `);
    }
}
