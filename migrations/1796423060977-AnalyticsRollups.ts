import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The analytics rollups (src/modules/analytics): per product and day, per customer, per month of
 * transfers, and orders_refunded on merchant_daily_sales. The order-based ones are kept by the
 * order-events consumer; for orders placed before this migration, run
 * `npm run cli -- analytics:rebuild` once. merchant_monthly_transfers is kept by a row trigger on
 * merchant_transfers (transfers change in place in several services) and filled here.
 */
export class AnalyticsRollups1796423060977 implements MigrationInterface {
    name = 'AnalyticsRollups1796423060977'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "merchant_customers" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "currency" character(3) NOT NULL,
                "customer_email" character varying(320) NOT NULL,
                "first_order_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "last_order_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "order_count" integer NOT NULL DEFAULT '0',
                "total_spent" bigint NOT NULL DEFAULT '0',
                CONSTRAINT "PK_6a2217c388bf7c8f88097e32264" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_merchant_customers_spent" ON "merchant_customers" ("merchant_id", "currency", "total_spent")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_merchant_customers_first_order" ON "merchant_customers" ("merchant_id", "currency", "first_order_at")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_merchant_customers_last_order" ON "merchant_customers" ("merchant_id", "currency", "last_order_at")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_merchant_customers" ON "merchant_customers" ("merchant_id", "currency", "customer_email")
        `);
        await queryRunner.query(`
            CREATE TABLE "merchant_daily_product_sales" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "currency" character(3) NOT NULL,
                "day" date NOT NULL,
                "product_id" uuid NOT NULL,
                "product_name" character varying(300) NOT NULL,
                "quantity_sold" integer NOT NULL DEFAULT '0',
                "revenue" bigint NOT NULL DEFAULT '0',
                "order_count" integer NOT NULL DEFAULT '0',
                CONSTRAINT "PK_e5ca42df86cd89b4d51cfdad35c" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_merchant_daily_product_sales" ON "merchant_daily_product_sales" ("merchant_id", "currency", "day", "product_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "merchant_monthly_transfers" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "month" date NOT NULL,
                "currency" character(3) NOT NULL,
                "status" character varying(20) NOT NULL,
                "transfer_count" integer NOT NULL DEFAULT '0',
                "gross_amount" bigint NOT NULL DEFAULT '0',
                "refunded_amount" bigint NOT NULL DEFAULT '0',
                "platform_fee" bigint NOT NULL DEFAULT '0',
                "net_amount" bigint NOT NULL DEFAULT '0',
                CONSTRAINT "PK_76b763db2730a6f65c2e8e59b93" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_merchant_monthly_transfers_month" ON "merchant_monthly_transfers" ("month", "currency")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_merchant_monthly_transfers" ON "merchant_monthly_transfers" ("merchant_id", "month", "currency", "status")
        `);
        await queryRunner.query(`
            ALTER TABLE "merchant_daily_sales"
            ADD "orders_refunded" integer NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_merchant_daily_sales_day" ON "merchant_daily_sales" ("day", "currency")
        `);
        await queryRunner.query(`
            CREATE FUNCTION analytics_bump_monthly_transfers(m uuid, mon date, cur char(3), st text, n int, gross bigint, refunded bigint, fee bigint, net bigint)
            RETURNS void LANGUAGE sql AS $$
                INSERT INTO merchant_monthly_transfers (merchant_id, month, currency, status, transfer_count, gross_amount, refunded_amount, platform_fee, net_amount)
                VALUES (m, mon, cur, st, n, gross, refunded, fee, net)
                ON CONFLICT (merchant_id, month, currency, status) DO UPDATE SET
                    transfer_count = merchant_monthly_transfers.transfer_count + EXCLUDED.transfer_count,
                    gross_amount = merchant_monthly_transfers.gross_amount + EXCLUDED.gross_amount,
                    refunded_amount = merchant_monthly_transfers.refunded_amount + EXCLUDED.refunded_amount,
                    platform_fee = merchant_monthly_transfers.platform_fee + EXCLUDED.platform_fee,
                    net_amount = merchant_monthly_transfers.net_amount + EXCLUDED.net_amount,
                    updated_at = now()
            $$
        `);
        // Old row out, new row in. When the status changes, the two rollup rows are locked in the
        // order of their status names, so two transfers moving in opposite directions cannot deadlock.
        await queryRunner.query(`
            CREATE FUNCTION analytics_merchant_transfers_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND (OLD.status, OLD.gross_amount, OLD.refunded_amount, OLD.platform_fee, OLD.net_amount, OLD.currency, OLD.merchant_id, OLD.created_at)
                    IS NOT DISTINCT FROM (NEW.status, NEW.gross_amount, NEW.refunded_amount, NEW.platform_fee, NEW.net_amount, NEW.currency, NEW.merchant_id, NEW.created_at) THEN
                    RETURN NULL;
                END IF;
                IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.status::text > OLD.status::text) THEN
                    IF TG_OP = 'UPDATE' THEN
                        PERFORM analytics_bump_monthly_transfers(OLD.merchant_id, date_trunc('month', OLD.created_at AT TIME ZONE 'UTC')::date, OLD.currency, OLD.status::text,
                            -1, -OLD.gross_amount, -OLD.refunded_amount, -OLD.platform_fee, -OLD.net_amount);
                    END IF;
                    PERFORM analytics_bump_monthly_transfers(NEW.merchant_id, date_trunc('month', NEW.created_at AT TIME ZONE 'UTC')::date, NEW.currency, NEW.status::text,
                        1, NEW.gross_amount, NEW.refunded_amount, NEW.platform_fee, NEW.net_amount);
                ELSE
                    IF TG_OP = 'UPDATE' THEN
                        PERFORM analytics_bump_monthly_transfers(NEW.merchant_id, date_trunc('month', NEW.created_at AT TIME ZONE 'UTC')::date, NEW.currency, NEW.status::text,
                            1, NEW.gross_amount, NEW.refunded_amount, NEW.platform_fee, NEW.net_amount);
                    END IF;
                    PERFORM analytics_bump_monthly_transfers(OLD.merchant_id, date_trunc('month', OLD.created_at AT TIME ZONE 'UTC')::date, OLD.currency, OLD.status::text,
                        -1, -OLD.gross_amount, -OLD.refunded_amount, -OLD.platform_fee, -OLD.net_amount);
                END IF;
                RETURN NULL;
            END
            $$
        `);
        await queryRunner.query(`
            CREATE TRIGGER analytics_merchant_transfers_rollup AFTER INSERT OR UPDATE OR DELETE ON merchant_transfers
            FOR EACH ROW EXECUTE FUNCTION analytics_merchant_transfers_rollup()
        `);
        await queryRunner.query(`
            INSERT INTO merchant_monthly_transfers (merchant_id, month, currency, status, transfer_count, gross_amount, refunded_amount, platform_fee, net_amount)
            SELECT merchant_id, date_trunc('month', created_at AT TIME ZONE 'UTC')::date, currency, status::text, count(*), sum(gross_amount), sum(refunded_amount), sum(platform_fee), sum(net_amount)
              FROM merchant_transfers GROUP BY 1, 2, 3, 4
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TRIGGER analytics_merchant_transfers_rollup ON merchant_transfers
        `);
        await queryRunner.query(`
            DROP FUNCTION analytics_merchant_transfers_rollup()
        `);
        await queryRunner.query(`
            DROP FUNCTION analytics_bump_monthly_transfers(uuid, date, char, text, int, bigint, bigint, bigint, bigint)
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_merchant_daily_sales_day"
        `);
        await queryRunner.query(`
            ALTER TABLE "merchant_daily_sales" DROP COLUMN "orders_refunded"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_merchant_monthly_transfers"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_merchant_monthly_transfers_month"
        `);
        await queryRunner.query(`
            DROP TABLE "merchant_monthly_transfers"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_merchant_daily_product_sales"
        `);
        await queryRunner.query(`
            DROP TABLE "merchant_daily_product_sales"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_merchant_customers"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_merchant_customers_last_order"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_merchant_customers_first_order"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_merchant_customers_spent"
        `);
        await queryRunner.query(`
            DROP TABLE "merchant_customers"
        `);
    }

}
