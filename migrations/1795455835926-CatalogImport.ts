import { MigrationInterface, QueryRunner } from "typeorm";

export class CatalogImport1795455835926 implements MigrationInterface {
    name = 'CatalogImport1795455835926'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "catalog_import_runs" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "merchant_id" uuid NOT NULL,
                "status" character varying(16) NOT NULL,
                "dry_run" boolean NOT NULL DEFAULT false,
                "file_name" character varying(300),
                "csv" bytea,
                "total_rows" integer NOT NULL,
                "processed_rows" integer NOT NULL DEFAULT '0',
                "created" integer NOT NULL DEFAULT '0',
                "updated" integer NOT NULL DEFAULT '0',
                "unchanged" integer NOT NULL DEFAULT '0',
                "failed" integer NOT NULL DEFAULT '0',
                "errors" jsonb NOT NULL DEFAULT '[]',
                "errors_truncated" boolean NOT NULL DEFAULT false,
                "requested_by" jsonb,
                "failure_reason" text,
                "started_at" TIMESTAMP WITH TIME ZONE,
                "finished_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_39a8b652bdeab8ac4b3b030cd02" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_catalog_import_runs_merchant" ON "catalog_import_runs" ("merchant_id", "created_at")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."idx_catalog_import_runs_merchant"
        `);
        await queryRunner.query(`
            DROP TABLE "catalog_import_runs"
        `);
    }

}
