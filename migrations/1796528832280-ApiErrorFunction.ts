import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * api_error(error jsonb): lets a statement refuse a request with one of the API's errors. It raises
 * SQLSTATE CMERR with the error (`{status, code, message, detail}`) as its DETAIL, which aborts the
 * transaction; toErrorResponse answers it as that error. For statements that decide inside
 * PostgreSQL what the API would otherwise decide between two round trips: the checkout's
 * reservation checks and takes the stock in one statement, sent with the order and the COMMIT, so
 * the stock levels stay locked only while PostgreSQL runs them. The API side: SQL_REFUSAL_STATE in
 * libs/common/src/errors/to-error-response.ts.
 */
export class ApiErrorFunction1796528832280 implements MigrationInterface {
    name = 'ApiErrorFunction1796528832280'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE FUNCTION api_error(error jsonb) RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION USING ERRCODE = 'CMERR', MESSAGE = error ->> 'message', DETAIL = error::text;
            END
            $$`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP FUNCTION api_error(jsonb)`);
    }
}
