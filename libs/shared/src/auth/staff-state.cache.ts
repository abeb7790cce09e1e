import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config';
import { isDatabaseUnavailable } from '../errors/http-exception.filter';

/** What a token is checked against: whether its account is active and which token version it is on. */
export interface StaffState {
  active: boolean;
  tokenVersion: number;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** More accounts than any department has: past it the cache starts over rather than grow without end. */
const MAX_ENTRIES = 10_000;

/**
 * Each app's memory of staff accounts' state, kept at most AUTH_STAFF_CACHE_SECONDS (≤ 60) before Postgres is asked
 * again: a deactivated account, a changed role or a reset password (each bumps `token_version`) stops the account's
 * older tokens in every app within that time, at one small query per account per minute. While Postgres does not
 * answer, a stale entry is used rather than refusing everyone.
 */
@Injectable()
export class StaffStateCache {
  private readonly entries = new Map<string, { state: StaffState | null; at: number }>();
  private readonly loading = new Map<string, Promise<StaffState | null>>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The account's state, or null when there is no such account. */
  async get(staffId: string): Promise<StaffState | null> {
    if (!uuid.test(staffId)) return null;
    const cached = this.entries.get(staffId);
    if (cached && Date.now() - cached.at < this.config.AUTH_STAFF_CACHE_SECONDS * 1000) return cached.state;
    let pending = this.loading.get(staffId);
    if (!pending) {
      pending = this.load(staffId).finally(() => this.loading.delete(staffId));
      this.loading.set(staffId, pending);
    }
    try {
      return await pending;
    } catch (err) {
      if (cached && isDatabaseUnavailable(err)) return cached.state;
      throw err;
    }
  }

  /** Drops an account's entry (this app changed it: no need to wait for the others' minute here). */
  forget(staffId: string): void {
    this.entries.delete(staffId);
  }

  private async load(staffId: string): Promise<StaffState | null> {
    const rows = await this.ds.query<Array<{ active: boolean; token_version: number }>>(
      `SELECT active, token_version FROM staff WHERE id = $1`,
      [staffId],
    );
    const row = rows[0];
    const state = row ? { active: row.active, tokenVersion: row.token_version } : null;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(staffId, { state, at: Date.now() });
    return state;
  }
}
