import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The order search index (GIN, trigrams of number, email and name) keeps new entries in a pending
 * list until it holds gin_pending_list_limit (4 MB by default); the insert that crosses it then
 * merges the whole list into the index. That insert is a checkout's order statement, which holds
 * the store's order-number counter until its commit: at ~3,300 orders per merge, one checkout in
 * each batch took 110 ms and every other checkout of the store waited behind it (PostgreSQL
 * statement log at 20 buyers, bench/RESULTS.md). With 256 kB the merges come ~13 times as often
 * and each is as much shorter; searches also scan a shorter unsorted list. The list already
 * pending is merged here, not by the first checkout after the deploy. Neither statement blocks
 * inserts (ALTER INDEX … SET takes a SHARE UPDATE EXCLUSIVE lock for this parameter).
 */
export class OrderSearchPendingListLimit1796521683868 implements MigrationInterface {
    name = 'OrderSearchPendingListLimit1796521683868'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER INDEX "idx_orders_search" SET (gin_pending_list_limit = 256)`);
        await queryRunner.query(`SELECT gin_clean_pending_list('"idx_orders_search"'::regclass)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER INDEX "idx_orders_search" RESET (gin_pending_list_limit)`);
    }
}
