import { OutboxEvent } from '@app/common';

/** Every entity of the service; the DataSource (app, worker, CLI, tests) is built from this list. */
export const ENTITIES = [OutboxEvent];
