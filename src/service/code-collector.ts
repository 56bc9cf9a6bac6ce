/**
 * Deployment packages no version of any function uses any more (deleted functions, replaced
 * $LATEST code) are removed at the start and every hour; never one an environment runs from, nor
 * one saved in the last minutes (a function may be in the middle of being created with it).
 */
import { basename } from 'node:path';
import type { Pool } from 'pg';
import type { Logger } from '../log/logger.js';
import type { CodeStore } from '../lambda/code-store.js';
import type { EnvironmentPool } from '../lambda/environments/pool.js';

const EVERY_MS = 60 * 60_000;
const GRACE_MS = 10 * 60_000;

export class CodeCollector {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Pool,
    private readonly code: CodeStore,
    private readonly pool: EnvironmentPool,
    private readonly logger: Logger,
  ) {}

  /** One pass now (awaited; nothing is being created before the API listens), then hourly. */
  async start(): Promise<void> {
    await this.collect(0);
    this.timer = setInterval(() => void this.collect(), EVERY_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Returns how many packages went. */
  async collect(graceMs = GRACE_MS): Promise<number> {
    try {
      const r = await this.db.query<{ id: string }>(
        `select distinct jsonb_path_query(doc, '$.**.codeId') #>> '{}' as id from lambda.functions`,
      );
      const keep = new Set(r.rows.map((row) => row.id));
      for (const dir of this.pool.codeDirsInUse()) keep.add(basename(dir));
      return await this.code.collect(keep, Date.now() - graceMs);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not remove unused code packages');
      return 0;
    }
  }
}
