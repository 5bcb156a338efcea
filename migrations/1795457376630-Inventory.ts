import { MigrationInterface, QueryRunner } from "typeorm";

export class Inventory1795457376630 implements MigrationInterface {
    name = 'Inventory1795457376630'

    public async up(queryRunner: QueryRunner): Promise<void> {
        // Generated, then completed by hand (marked below): the append-only trigger, and moving
        // product_variants.stock into inventory_levels with an opening-balance movement each.
        await queryRunner.query(`
            CREATE TABLE "inventory_idempotency_keys" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "operation" character varying(40) NOT NULL,
                "key" character varying(200) NOT NULL,
                "request_hash" character(64) NOT NULL,
                "status" integer NOT NULL,
                "response" jsonb NOT NULL,
                CONSTRAINT "PK_e9718dd69c515c71b6dac055c22" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_inventory_idempotency_keys_created" ON "inventory_idempotency_keys" ("created_at")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_inventory_idempotency_keys_key" ON "inventory_idempotency_keys" ("merchant_id", "operation", "key")
        `);
        await queryRunner.query(`
            CREATE TABLE "inventory_levels" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "product_id" uuid NOT NULL,
                "variant_id" uuid NOT NULL,
                "location_id" uuid NOT NULL,
                "on_hand" integer NOT NULL DEFAULT '0',
                "reserved" integer NOT NULL DEFAULT '0',
                "allow_backorder" boolean NOT NULL DEFAULT false,
                "low_stock_alerted" boolean NOT NULL DEFAULT false,
                CONSTRAINT "ck_inventory_levels_reserved_within_on_hand" CHECK (
                    "allow_backorder"
                    OR "reserved" <= "on_hand"
                ),
                CONSTRAINT "ck_inventory_levels_reserved_non_negative" CHECK ("reserved" >= 0),
                CONSTRAINT "ck_inventory_levels_on_hand_max" CHECK ("on_hand" <= 1000000000),
                CONSTRAINT "ck_inventory_levels_on_hand_non_negative" CHECK ("on_hand" >= 0),
                CONSTRAINT "PK_7d6c5977afc35996c6a42830d05" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_inventory_levels_product" ON "inventory_levels" ("merchant_id", "product_id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_inventory_levels_variant_location" ON "inventory_levels" ("variant_id", "location_id")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."inventory_movement_type" AS ENUM(
                'adjustment',
                'reservation',
                'release',
                'sale',
                'return',
                'sync',
                'import'
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "inventory_movements" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "seq" BIGSERIAL NOT NULL,
                "merchant_id" uuid NOT NULL,
                "product_id" uuid NOT NULL,
                "variant_id" uuid NOT NULL,
                "location_id" uuid NOT NULL,
                "level_id" uuid NOT NULL,
                "type" "public"."inventory_movement_type" NOT NULL,
                "quantity" integer NOT NULL,
                "on_hand_delta" integer NOT NULL,
                "reserved_delta" integer NOT NULL,
                "on_hand_after" integer NOT NULL,
                "reserved_after" integer NOT NULL,
                "reason" character varying(500),
                "actor_type" character varying(16) NOT NULL,
                "actor_id" uuid,
                "reference" character varying(200),
                "reservation_id" uuid,
                "request_id" character varying(128),
                CONSTRAINT "PK_d7597827c1dcffae889db3ab873" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_inventory_movements_reservation" ON "inventory_movements" ("reservation_id")
            WHERE reservation_id IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_inventory_movements_product" ON "inventory_movements" ("merchant_id", "product_id", "seq")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_inventory_movements_level" ON "inventory_movements" ("level_id", "seq")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."inventory_reservation_status" AS ENUM('active', 'committed', 'released', 'expired')
        `);
        await queryRunner.query(`
            CREATE TABLE "inventory_reservations" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "reference" character varying(200) NOT NULL,
                "status" "public"."inventory_reservation_status" NOT NULL DEFAULT 'active',
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "closed_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_af438c0ce596eea6c4d472a0489" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_inventory_reservations_expiry" ON "inventory_reservations" ("expires_at")
            WHERE status = 'active'
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_inventory_reservations_reference" ON "inventory_reservations" ("merchant_id", "reference")
        `);
        await queryRunner.query(`
            CREATE TABLE "inventory_reservation_lines" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "reservation_id" uuid NOT NULL,
                "product_id" uuid NOT NULL,
                "variant_id" uuid NOT NULL,
                "level_id" uuid,
                "location_id" uuid,
                "quantity" integer NOT NULL,
                CONSTRAINT "ck_inventory_reservation_lines_quantity_positive" CHECK ("quantity" > 0),
                CONSTRAINT "PK_2a3cbf3cc2d81b4d0c69fb8445f" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_inventory_reservation_lines_reservation" ON "inventory_reservation_lines" ("reservation_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "stock_locations" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "name" character varying(200) NOT NULL,
                "is_default" boolean NOT NULL DEFAULT false,
                CONSTRAINT "PK_86370cc527e4982c542b286f11c" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_stock_locations_merchant_default" ON "stock_locations" ("merchant_id")
            WHERE is_default
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_stock_locations_merchant_name" ON "stock_locations" ("merchant_id", "name")
        `);
        await queryRunner.query(`
            CREATE TABLE "notification_settings" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "webhook_url" character varying(2048),
                "webhook_secret" character varying(200),
                "email" character varying(320),
                "low_stock_alerts" boolean NOT NULL DEFAULT true,
                CONSTRAINT "PK_d131abd7996c475ef768d4559ba" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_notification_settings_merchant" ON "notification_settings" ("merchant_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "notifications" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "type" character varying(60) NOT NULL,
                "dedupe_key" character varying(200) NOT NULL,
                "title" character varying(300) NOT NULL,
                "message" text NOT NULL,
                "data" jsonb NOT NULL DEFAULT '{}',
                "webhook_status" character varying(16) NOT NULL DEFAULT 'none',
                "webhook_attempts" integer NOT NULL DEFAULT '0',
                "webhook_delivered_at" TIMESTAMP WITH TIME ZONE,
                "webhook_last_error" character varying(500),
                "email_status" character varying(16) NOT NULL DEFAULT 'none',
                "email_sent_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_notifications_merchant" ON "notifications" ("merchant_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_notifications_dedupe" ON "notifications" ("merchant_id", "dedupe_key")
        `);
        // --- hand-written: the ledger is append-only ------------------------------------------
        await queryRunner.query(`
            CREATE FUNCTION inventory_movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'inventory_movements is an append-only ledger: % refused', TG_OP USING ERRCODE = 'restrict_violation';
            END
            $$
        `);
        await queryRunner.query(`
            CREATE TRIGGER trg_inventory_movements_append_only BEFORE UPDATE OR DELETE ON inventory_movements
            FOR EACH ROW EXECUTE FUNCTION inventory_movements_append_only()
        `);
        // --- hand-written: stock moves from product_variants.stock to levels at a default location,
        // each opening balance a 'sync' movement so on_hand = sum(movements) holds from the start.
        await queryRunner.query(`
            INSERT INTO stock_locations (merchant_id, name, is_default) SELECT id, 'Default', true FROM merchants
        `);
        await queryRunner.query(`
            INSERT INTO inventory_levels (merchant_id, product_id, variant_id, location_id, on_hand, low_stock_alerted)
            SELECT v.merchant_id, v.product_id, v.id, s.id, v.stock,
                   (p.track_inventory AND p.low_stock_threshold IS NOT NULL AND v.stock <= p.low_stock_threshold)
              FROM product_variants v
              JOIN products p ON p.id = v.product_id
              JOIN stock_locations s ON s.merchant_id = v.merchant_id AND s.is_default
        `);
        await queryRunner.query(`
            INSERT INTO inventory_movements (merchant_id, product_id, variant_id, location_id, level_id, type, quantity,
                                             on_hand_delta, reserved_delta, on_hand_after, reserved_after, reason, actor_type)
            SELECT merchant_id, product_id, variant_id, location_id, id, 'sync', on_hand, on_hand, 0, on_hand, 0,
                   'opening balance (from product_variants.stock)', 'system'
              FROM inventory_levels WHERE on_hand > 0
        `);
        await queryRunner.query(`
            ALTER TABLE "product_variants" DROP CONSTRAINT "ck_product_variants_stock_non_negative"
        `);
        await queryRunner.query(`
            ALTER TABLE "product_variants" DROP COLUMN "stock"
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "product_variants"
            ADD "stock" integer NOT NULL DEFAULT '0'
        `);
        // hand-written: on_hand over all locations back onto the variants (clamped to the int column).
        await queryRunner.query(`
            UPDATE product_variants v SET stock = LEAST(s.on_hand, 2147483647)
              FROM (SELECT variant_id, sum(on_hand) AS on_hand FROM inventory_levels GROUP BY variant_id) s
             WHERE s.variant_id = v.id
        `);
        await queryRunner.query(`
            DROP TRIGGER trg_inventory_movements_append_only ON inventory_movements
        `);
        await queryRunner.query(`
            DROP FUNCTION inventory_movements_append_only()
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_notifications_dedupe"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_notifications_merchant"
        `);
        await queryRunner.query(`
            DROP TABLE "notifications"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_notification_settings_merchant"
        `);
        await queryRunner.query(`
            DROP TABLE "notification_settings"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_stock_locations_merchant_name"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_stock_locations_merchant_default"
        `);
        await queryRunner.query(`
            DROP TABLE "stock_locations"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_inventory_reservation_lines_reservation"
        `);
        await queryRunner.query(`
            DROP TABLE "inventory_reservation_lines"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_inventory_reservations_reference"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_inventory_reservations_expiry"
        `);
        await queryRunner.query(`
            DROP TABLE "inventory_reservations"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."inventory_reservation_status"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_inventory_movements_level"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_inventory_movements_product"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_inventory_movements_reservation"
        `);
        await queryRunner.query(`
            DROP TABLE "inventory_movements"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."inventory_movement_type"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_inventory_levels_variant_location"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_inventory_levels_product"
        `);
        await queryRunner.query(`
            DROP TABLE "inventory_levels"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_inventory_idempotency_keys_key"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_inventory_idempotency_keys_created"
        `);
        await queryRunner.query(`
            DROP TABLE "inventory_idempotency_keys"
        `);
        await queryRunner.query(`
            ALTER TABLE "product_variants"
            ADD CONSTRAINT "ck_product_variants_stock_non_negative" CHECK ((stock >= 0))
        `);
    }

}
