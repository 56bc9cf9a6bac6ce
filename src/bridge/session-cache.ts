/**
 * Role sessions kept per cluster until shortly before they expire, or until what they were made
 * from changes (the generation), so a call never carries a session that lapses mid-flight and a
 * change applies to the next call. A failed assume is not kept.
 */
import type { RoleSession } from './role-credentials.js';

/** A session is renewed this long before it expires; calls in flight keep the one they hold. */
const RENEW_BEFORE_MS = 5 * 60_000;

interface Cached {
  generation: number;
  renewAt: number;
  session: Promise<RoleSession>;
}

export class SessionCache {
  private readonly entries = new Map<string, Cached>();

  get(key: string, generation: number, assume: () => Promise<RoleSession>): Promise<RoleSession> {
    const cached = this.entries.get(key);
    if (cached && cached.generation === generation && Date.now() < cached.renewAt) return cached.session;
    const entry: Cached = { generation, renewAt: Infinity, session: assume() };
    this.entries.set(key, entry);
    entry.session.then(
      (s) => (entry.renewAt = (s.credentials.expiration?.getTime() ?? 0) - RENEW_BEFORE_MS),
      () => this.drop(key, entry),
    );
    return entry.session;
  }

  /** Forgets the session a refusal showed to be dead (expired early, revoked), unless a newer one replaced it. */
  forget(key: string, session: Promise<RoleSession>): void {
    const cached = this.entries.get(key);
    if (cached?.session === session) this.entries.delete(key);
  }

  private drop(key: string, entry: Cached): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }
}
