import 'reflect-metadata';
import { loadConfig, loadDotEnv } from '@app/common';
import { createDataSource } from './create-data-source';

/** The TypeORM CLI's entry (`typeorm -d dist/src/database/data-source.js …`); nothing else imports it. */
loadDotEnv();
export default createDataSource(loadConfig());
