/** Every part's migrations of pglambda's state database, in the order they apply: one list for every process that opens it. */
import { lambdaMigrations } from '../lambda/store/schema.js';
import { iamMigrations } from '../iam/store/schema.js';
import { rdsMigrations } from '../rds/store/schema.js';
import { stsMigrations } from '../aws/sts/session-store.js';
import { logsMigrations } from '../logs/schema.js';
import type { Migration } from '../state/migrate.js';

export const stateMigrations: Migration[] = [...lambdaMigrations, ...rdsMigrations, ...iamMigrations, ...stsMigrations, ...logsMigrations];
