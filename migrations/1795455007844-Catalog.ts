import { MigrationInterface, QueryRunner } from "typeorm";

export class Catalog1795455007844 implements MigrationInterface {
    name = 'Catalog1795455007844'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "collection_products" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "collection_id" uuid NOT NULL,
                "product_id" uuid NOT NULL,
                "position" integer NOT NULL DEFAULT '0',
                CONSTRAINT "PK_5332f8b4cbc00fba1b092b15837" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_collection_products_product" ON "collection_products" ("product_id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_collection_products" ON "collection_products" ("collection_id", "product_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "collections" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "slug" character varying(150) NOT NULL,
                "name" character varying(300) NOT NULL,
                "description" text,
                "image_url" character varying(2048),
                "cover_media_id" uuid,
                "display_order" integer NOT NULL DEFAULT '0',
                "meta_title" character varying(300),
                "meta_description" character varying(1000),
                CONSTRAINT "PK_21c00b1ebbd41ba1354242c5c4e" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_collections_merchant_slug" ON "collections" ("merchant_id", "slug")
        `);
        await queryRunner.query(`
            CREATE TABLE "product_images" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "product_id" uuid NOT NULL,
                "variant_id" uuid,
                "media_id" uuid,
                "url" character varying(2048) NOT NULL,
                "alt" character varying(300),
                "position" integer NOT NULL DEFAULT '0',
                CONSTRAINT "PK_1974264ea7265989af8392f63a1" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_product_images_product" ON "product_images" ("product_id", "position")
        `);
        await queryRunner.query(`
            CREATE TABLE "product_prices" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "product_id" uuid NOT NULL,
                "variant_id" uuid,
                "currency" character(3) NOT NULL,
                "amount" bigint NOT NULL,
                "original_amount" bigint,
                CONSTRAINT "PK_31c33ddacf759f7c0e5d327c4bb" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_product_prices_product" ON "product_prices" ("product_id")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."product_status" AS ENUM('active', 'inactive', 'draft', 'archived')
        `);
        await queryRunner.query(`
            CREATE TABLE "products" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "handle" character varying(150) NOT NULL,
                "name" character varying(300) NOT NULL,
                "description" text,
                "price" bigint NOT NULL,
                "original_price" bigint,
                "cost_price" bigint,
                "currency" character(3) NOT NULL,
                "status" "public"."product_status" NOT NULL DEFAULT 'draft',
                "category_id" uuid,
                "weight_grams" integer,
                "length_mm" integer,
                "width_mm" integer,
                "height_mm" integer,
                "hs_code" character varying(20),
                "country_of_origin" character(2),
                "customs_description" character varying(300),
                "requires_shipping" boolean NOT NULL DEFAULT true,
                "track_inventory" boolean NOT NULL DEFAULT true,
                "low_stock_threshold" integer,
                "tags" text array NOT NULL DEFAULT '{}',
                "meta_title" character varying(300),
                "meta_description" character varying(1000),
                "deleted_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_0806c755e0aca124e67c0cf6d7d" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_products_merchant_status" ON "products" ("merchant_id", "status", "created_at")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_products_merchant_handle" ON "products" ("merchant_id", "handle")
            WHERE deleted_at IS NULL
        `);
        await queryRunner.query(`
            CREATE TABLE "product_variants" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "product_id" uuid NOT NULL,
                "sku" character varying(100),
                "price" bigint,
                "stock" integer NOT NULL DEFAULT '0',
                "status" "public"."product_status" NOT NULL DEFAULT 'active',
                "attributes" jsonb NOT NULL DEFAULT '{}',
                "is_default" boolean NOT NULL DEFAULT false,
                "position" integer NOT NULL DEFAULT '0',
                "deleted_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "ck_product_variants_stock_non_negative" CHECK ("stock" >= 0),
                CONSTRAINT "PK_281e3f2c55652d6a22c0aa59fd7" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_product_variants_merchant_sku" ON "product_variants" ("merchant_id", "sku")
            WHERE deleted_at IS NULL
                AND sku IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_product_variants_product" ON "product_variants" ("product_id", "position")
        `);
        await queryRunner.query(`
            CREATE TABLE "product_translations" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "product_id" uuid NOT NULL,
                "language_code" character varying(16) NOT NULL,
                "name" character varying(300) NOT NULL,
                "description" text,
                "meta_title" character varying(300),
                "meta_description" character varying(1000),
                "variant_attributes_translations" jsonb,
                CONSTRAINT "PK_38feaa5884a6a0171d067cc9d15" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_product_translations" ON "product_translations" ("product_id", "language_code")
        `);
        await queryRunner.query(`
            CREATE TABLE "collection_translations" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "collection_id" uuid NOT NULL,
                "language_code" character varying(16) NOT NULL,
                "name" character varying(300) NOT NULL,
                "description" text,
                "meta_title" character varying(300),
                "meta_description" character varying(1000),
                CONSTRAINT "PK_3a1a2bec8612ae84ee8300582fd" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_collection_translations" ON "collection_translations" ("collection_id", "language_code")
        `);
        await queryRunner.query(`
            CREATE TABLE "languages" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "code" character varying(16) NOT NULL,
                "name" character varying(100) NOT NULL,
                "native_name" character varying(100) NOT NULL,
                "is_active" boolean NOT NULL DEFAULT true,
                CONSTRAINT "PK_b517f827ca496b29f4d549c631d" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_languages_code" ON "languages" ("code")
        `);
        // Indexes TypeORM cannot express (entities mark them synchronize: false).
        await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
        await queryRunner.query(`CREATE INDEX "idx_products_tags" ON "products" USING GIN ("tags")`);
        // One definition of a product's search document, used by the index and by the queries alike.
        await queryRunner.query(`
            CREATE FUNCTION product_search_document(name text, description text, tags text[]) RETURNS tsvector
            LANGUAGE sql IMMUTABLE PARALLEL SAFE
            AS $$ SELECT setweight(to_tsvector('simple', coalesce(name, '')), 'A')
                      || setweight(to_tsvector('simple', array_to_string(coalesce(tags, '{}'), ' ')), 'B')
                      || setweight(to_tsvector('simple', coalesce(description, '')), 'C') $$
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_products_search" ON "products" USING GIN (product_search_document("name", "description", "tags"))
        `);
        await queryRunner.query(`CREATE INDEX "idx_products_name_trgm" ON "products" USING GIN ("name" gin_trgm_ops)`);
        await queryRunner.query(`CREATE INDEX "idx_product_variants_sku_trgm" ON "product_variants" USING GIN ("sku" gin_trgm_ops)`);
        await queryRunner.query(`CREATE INDEX "idx_product_variants_attributes" ON "product_variants" USING GIN ("attributes" jsonb_path_ops)`);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_product_prices" ON "product_prices" ("product_id", "variant_id", "currency") NULLS NOT DISTINCT
        `);
        await queryRunner.query(`
            INSERT INTO "languages" ("code", "name", "native_name") VALUES
                ('en', 'English', 'English'), ('en-US', 'English (US)', 'English (US)'), ('en-GB', 'English (UK)', 'English (UK)'),
                ('fr', 'French', 'Français'), ('fr-FR', 'French (France)', 'Français (France)'),
                ('de', 'German', 'Deutsch'), ('de-DE', 'German (Germany)', 'Deutsch (Deutschland)'),
                ('es', 'Spanish', 'Español'), ('es-ES', 'Spanish (Spain)', 'Español (España)'),
                ('it', 'Italian', 'Italiano'), ('pt', 'Portuguese', 'Português'), ('pt-BR', 'Portuguese (Brazil)', 'Português (Brasil)'),
                ('nl', 'Dutch', 'Nederlands'), ('sv', 'Swedish', 'Svenska'), ('pl', 'Polish', 'Polski'), ('tr', 'Turkish', 'Türkçe'),
                ('ru', 'Russian', 'Русский'), ('ar', 'Arabic', 'العربية'), ('he', 'Hebrew', 'עברית'), ('hi', 'Hindi', 'हिन्दी'),
                ('th', 'Thai', 'ไทย'), ('vi', 'Vietnamese', 'Tiếng Việt'), ('id', 'Indonesian', 'Bahasa Indonesia'),
                ('ja', 'Japanese', '日本語'), ('ja-JP', 'Japanese (Japan)', '日本語 (日本)'), ('ko', 'Korean', '한국어'), ('ko-KR', 'Korean (Korea)', '한국어 (대한민국)'),
                ('zh', 'Chinese', '中文'), ('zh-CN', 'Chinese (Simplified)', '简体中文'), ('zh-TW', 'Chinese (Traditional)', '繁體中文')
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX IF EXISTS "uq_product_prices"`);
        await queryRunner.query(`DROP INDEX IF EXISTS "idx_product_variants_attributes"`);
        await queryRunner.query(`DROP INDEX IF EXISTS "idx_product_variants_sku_trgm"`);
        await queryRunner.query(`DROP INDEX IF EXISTS "idx_products_name_trgm"`);
        await queryRunner.query(`DROP INDEX IF EXISTS "idx_products_search"`);
        await queryRunner.query(`DROP FUNCTION IF EXISTS product_search_document(text, text, text[])`);
        await queryRunner.query(`DROP INDEX IF EXISTS "idx_products_tags"`);
        await queryRunner.query(`
            DROP INDEX "public"."uq_languages_code"
        `);
        await queryRunner.query(`
            DROP TABLE "languages"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_collection_translations"
        `);
        await queryRunner.query(`
            DROP TABLE "collection_translations"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_product_translations"
        `);
        await queryRunner.query(`
            DROP TABLE "product_translations"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_product_variants_product"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_product_variants_merchant_sku"
        `);
        await queryRunner.query(`
            DROP TABLE "product_variants"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_products_merchant_handle"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_products_merchant_status"
        `);
        await queryRunner.query(`
            DROP TABLE "products"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."product_status"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_product_prices_product"
        `);
        await queryRunner.query(`
            DROP TABLE "product_prices"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_product_images_product"
        `);
        await queryRunner.query(`
            DROP TABLE "product_images"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_collections_merchant_slug"
        `);
        await queryRunner.query(`
            DROP TABLE "collections"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_collection_products"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_collection_products_product"
        `);
        await queryRunner.query(`
            DROP TABLE "collection_products"
        `);
    }

}
