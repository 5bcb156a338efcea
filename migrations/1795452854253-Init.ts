import { MigrationInterface, QueryRunner } from "typeorm";

export class Init1795452854253 implements MigrationInterface {
    name = 'Init1795452854253'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "outbox_events" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "queue" character varying(64) NOT NULL,
                "name" character varying(128) NOT NULL,
                "payload" jsonb NOT NULL,
                "available_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "sent_at" TIMESTAMP WITH TIME ZONE,
                "attempts" integer NOT NULL DEFAULT '0',
                "last_error" text,
                CONSTRAINT "PK_6689a16c00d09b8089f6237f1d2" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_outbox_events_sent_at" ON "outbox_events" ("sent_at")
            WHERE sent_at IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_outbox_events_pending" ON "outbox_events" ("available_at")
            WHERE sent_at IS NULL
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."idx_outbox_events_pending"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_outbox_events_sent_at"
        `);
        await queryRunner.query(`
            DROP TABLE "outbox_events"
        `);
    }

}
