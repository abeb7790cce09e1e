import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config';
import type { BusinessCalendar } from './business-calendar';
import { loadBusinessCalendar } from './calendar-loader';

const RELOAD_MS = 60_000;

/**
 * The business calendar with the current local overrides, for every app. Overrides change a few times
 * a year, so the calendar is rebuilt at most once a minute (and at once after an edit in this process).
 */
@Injectable()
export class CalendarService {
  private cached: { loadedAt: number; calendar: Promise<BusinessCalendar> } | undefined;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  current(now = Date.now()): Promise<BusinessCalendar> {
    if (!this.cached || now - this.cached.loadedAt > RELOAD_MS) {
      const calendar = loadBusinessCalendar(this.config, this.ds);
      this.cached = { loadedAt: now, calendar };
      calendar.catch(() => (this.cached = undefined)); // a failed load is retried by the next caller
    }
    return this.cached.calendar;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
