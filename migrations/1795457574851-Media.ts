import { MigrationInterface, QueryRunner } from "typeorm";

export class Media1795457574851 implements MigrationInterface {
    name = 'Media1795457574851'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TYPE "public"."media_kind" AS ENUM('image', 'file')
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."media_status" AS ENUM('pending', 'processing', 'ready', 'failed')
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."media_source" AS ENUM('upload', 'presign', 'url')
        `);
        await queryRunner.query(`
            CREATE TABLE "media" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "kind" "public"."media_kind" NOT NULL,
                "status" "public"."media_status" NOT NULL DEFAULT 'pending',
                "source" "public"."media_source" NOT NULL,
                "storage" character varying(16) NOT NULL,
                "object_key" character varying(512),
                "url" character varying(2048),
                "file_name" character varying(255) NOT NULL,
                "content_type" character varying(100),
                "size_bytes" integer,
                "width" integer,
                "height" integer,
                "sizes" jsonb NOT NULL DEFAULT '{}',
                "source_url" character varying(2048),
                "error" character varying(500),
                "expires_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_f4e0fcac36e050de337b670d8bd" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_media_expires_at" ON "media" ("expires_at")
            WHERE expires_at IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_media_merchant_created" ON "media" ("merchant_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_product_images_media" ON "product_images" ("media_id")
            WHERE media_id IS NOT NULL
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."idx_product_images_media"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_media_merchant_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_media_expires_at"
        `);
        await queryRunner.query(`
            DROP TABLE "media"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."media_source"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."media_status"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."media_kind"
        `);
    }

}
