import { MigrationInterface, QueryRunner } from "typeorm";

/** The homepage module: one config per store (version, template, page settings) and its ordered sections. */
export class HomepageConfig1796423066358 implements MigrationInterface {
    name = 'HomepageConfig1796423066358'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "homepage_configs" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "version" integer NOT NULL DEFAULT '1',
                "template_key" character varying(32) NOT NULL DEFAULT 'standard',
                "page_settings" jsonb NOT NULL DEFAULT '{}',
                CONSTRAINT "PK_7ee95dd2a2b46669bbcf7ec05b2" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_homepage_configs_merchant" ON "homepage_configs" ("merchant_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "homepage_sections" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "config_id" uuid NOT NULL,
                "position" integer NOT NULL,
                "type" character varying(32) NOT NULL,
                "settings" jsonb NOT NULL DEFAULT '{}',
                "translations" jsonb NOT NULL DEFAULT '{}',
                CONSTRAINT "PK_80efd4c6dd84d3710d298fbde61" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_homepage_sections_merchant" ON "homepage_sections" ("merchant_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_homepage_sections_config_position" ON "homepage_sections" ("config_id", "position")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."idx_homepage_sections_config_position"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_homepage_sections_merchant"
        `);
        await queryRunner.query(`
            DROP TABLE "homepage_sections"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_homepage_configs_merchant"
        `);
        await queryRunner.query(`
            DROP TABLE "homepage_configs"
        `);
    }

}
