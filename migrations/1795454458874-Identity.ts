import { MigrationInterface, QueryRunner } from "typeorm";

export class Identity1795454458874 implements MigrationInterface {
    name = 'Identity1795454458874'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "audit_logs" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid,
                "actor_type" character varying(10) NOT NULL,
                "actor_id" uuid,
                "actor_role" character varying(10),
                "action" character varying(100) NOT NULL,
                "entity_type" character varying(50) NOT NULL,
                "entity_id" character varying(100),
                "changes" jsonb NOT NULL DEFAULT '{}',
                "request_id" character varying(128),
                "ip" character varying(64),
                CONSTRAINT "PK_1bb179d048bbc581caa3b013439" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_audit_logs_created" ON "audit_logs" ("created_at", "id")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_audit_logs_merchant_created" ON "audit_logs" ("merchant_id", "created_at", "id")
        `);
        await queryRunner.query(`
            CREATE TABLE "merchant_api_keys" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "name" character varying(100) NOT NULL,
                "prefix" character varying(20) NOT NULL,
                "key_hash" character(64) NOT NULL,
                "scopes" text array NOT NULL,
                "mode" character varying(4) NOT NULL,
                "created_by_user_id" uuid,
                "last_used_at" TIMESTAMP WITH TIME ZONE,
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_e83f71483989cc0ba1decdbbbb7" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_merchant_api_keys_hash" ON "merchant_api_keys" ("key_hash")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_merchant_api_keys_merchant" ON "merchant_api_keys" ("merchant_id")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."device_authorization_status" AS ENUM('pending', 'approved', 'denied', 'consumed')
        `);
        await queryRunner.query(`
            CREATE TABLE "device_authorizations" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "device_code_hash" character(64) NOT NULL,
                "user_code" character varying(16) NOT NULL,
                "client_id" character varying(100) NOT NULL,
                "scopes" text array NOT NULL DEFAULT '{}',
                "status" "public"."device_authorization_status" NOT NULL DEFAULT 'pending',
                "user_id" uuid,
                "interval_seconds" integer NOT NULL DEFAULT '5',
                "last_polled_at" TIMESTAMP WITH TIME ZONE,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_389736f0f288bd7aa272a0b8a7d" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_device_authorizations_device_code" ON "device_authorizations" ("device_code_hash")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_device_authorizations_user_code" ON "device_authorizations" ("user_code")
        `);
        await queryRunner.query(`
            CREATE TABLE "refresh_tokens" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "user_id" uuid NOT NULL,
                "family_id" uuid NOT NULL,
                "token_hash" character(64) NOT NULL,
                "client_id" character varying(100),
                "scopes" text array NOT NULL DEFAULT '{}',
                "delegated" boolean NOT NULL DEFAULT false,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "used_at" TIMESTAMP WITH TIME ZONE,
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_7d8bee0204106019488c4c50ffa" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_refresh_tokens_hash" ON "refresh_tokens" ("token_hash")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_refresh_tokens_user" ON "refresh_tokens" ("user_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_refresh_tokens_family" ON "refresh_tokens" ("family_id")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."user_role" AS ENUM('customer', 'merchant', 'admin')
        `);
        await queryRunner.query(`
            CREATE TABLE "users" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "email" character varying(320) NOT NULL,
                "name" character varying(200) NOT NULL DEFAULT '',
                "password_hash" character varying(255) NOT NULL,
                "role" "public"."user_role" NOT NULL DEFAULT 'customer',
                "is_active" boolean NOT NULL DEFAULT true,
                "last_login_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_users_email" ON "users" ("email")
        `);
        await queryRunner.query(`
            CREATE TABLE "merchant_translations" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "language_code" character varying(16) NOT NULL,
                "name" character varying(200) NOT NULL,
                "description" text,
                CONSTRAINT "PK_7f178547473e1c1d5887ca04fb1" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_merchant_translations_lang" ON "merchant_translations" ("merchant_id", "language_code")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."merchant_status" AS ENUM('PENDING', 'ACTIVE', 'REJECTED', 'SUSPENDED')
        `);
        await queryRunner.query(`
            CREATE TABLE "merchants" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "owner_user_id" uuid NOT NULL,
                "name" character varying(200) NOT NULL,
                "slug" character varying(100) NOT NULL,
                "email" character varying(320) NOT NULL,
                "description" text,
                "logo_url" character varying(2048),
                "logo_media_id" uuid,
                "default_currency" character(3) NOT NULL DEFAULT 'USD',
                "supported_currencies" text array NOT NULL DEFAULT '{USD}',
                "default_locale" character varying(16) NOT NULL DEFAULT 'en',
                "supported_locales" text array NOT NULL DEFAULT '{en}',
                "primary_color" character varying(7),
                "status" "public"."merchant_status" NOT NULL DEFAULT 'PENDING',
                "status_reason" text,
                "status_changed_at" TIMESTAMP WITH TIME ZONE,
                "origin_country_alpha2" character(2),
                "origin_city" character varying(100),
                "origin_postal_code" character varying(20),
                "origin_line_1" character varying(200),
                "origin_line_2" character varying(200),
                "origin_state" character varying(100),
                "contact_name" character varying(200),
                "contact_phone" character varying(50),
                "contact_email" character varying(320),
                "company_name" character varying(200),
                CONSTRAINT "PK_4fd312ef25f8e05ad47bfe7ed25" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_merchants_owner" ON "merchants" ("owner_user_id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_merchants_slug" ON "merchants" ("slug")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_merchants_status" ON "merchants" ("status")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."idx_merchants_status"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_merchants_slug"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_merchants_owner"
        `);
        await queryRunner.query(`
            DROP TABLE "merchants"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."merchant_status"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_merchant_translations_lang"
        `);
        await queryRunner.query(`
            DROP TABLE "merchant_translations"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_users_email"
        `);
        await queryRunner.query(`
            DROP TABLE "users"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."user_role"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_refresh_tokens_family"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_refresh_tokens_user"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_refresh_tokens_hash"
        `);
        await queryRunner.query(`
            DROP TABLE "refresh_tokens"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_device_authorizations_user_code"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_device_authorizations_device_code"
        `);
        await queryRunner.query(`
            DROP TABLE "device_authorizations"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."device_authorization_status"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_merchant_api_keys_merchant"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_merchant_api_keys_hash"
        `);
        await queryRunner.query(`
            DROP TABLE "merchant_api_keys"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_audit_logs_merchant_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_audit_logs_created"
        `);
        await queryRunner.query(`
            DROP TABLE "audit_logs"
        `);
    }

}
