import { MigrationInterface, QueryRunner } from "typeorm";

export class Cart1795461646594 implements MigrationInterface {
    name = 'Cart1795461646594'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "carts" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "user_id" uuid NOT NULL,
                "merchant_id" uuid,
                "currency" character(3),
                CONSTRAINT "PK_b5f695a59f5ebb50af3c8160816" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_carts_user" ON "carts" ("user_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "cart_items" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "cart_id" uuid NOT NULL,
                "product_id" uuid NOT NULL,
                "variant_id" uuid NOT NULL,
                "quantity" integer NOT NULL,
                "position" integer NOT NULL DEFAULT '0',
                CONSTRAINT "ck_cart_items_quantity_positive" CHECK ("quantity" > 0),
                CONSTRAINT "PK_6fccf5ec03c172d27a28a82928b" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_cart_items_cart_variant" ON "cart_items" ("cart_id", "variant_id")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."uq_cart_items_cart_variant"
        `);
        await queryRunner.query(`
            DROP TABLE "cart_items"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_carts_user"
        `);
        await queryRunner.query(`
            DROP TABLE "carts"
        `);
    }
}
