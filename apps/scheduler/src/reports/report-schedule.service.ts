import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  CalendarService,
  CLOCK,
  generateReport,
  lastFinishedPeriod,
  maskText,
  OnTask,
  REPORT_SECTION_PROVIDERS,
  reportDueDay,
  reportFileName,
  reportKinds,
  type AppConfig,
  type Clock,
  type ReportSectionProvider,
} from '@kefu/shared';
import { ReportMailer } from './report-mailer';

export const REPORT_RUN_TASK = 'report-run';

export interface ReportRunResult {
  /** Reports filed by this run (kind:period). */
  generated: string[];
  mailed: number;
  failed: number;
}

/**
 * Files each kind's last finished period on the first working day after it (BusinessCalendar: National Day, Spring
 * Festival and 调休 counted) and mails it, XLSX and PDF attached, to REPORT_DISTRIBUTION. Runs every quarter hour (cheap
 * when there is nothing to file: a lookup per kind), so a scheduler that was down catches up within 15 minutes; idempotent: the report's unique (kind, period) keeps one filed report,
 * and report_deliveries' key (report, address) one mail per address.
 */
@Injectable()
export class ReportScheduleService {
  private readonly logger = new Logger(ReportScheduleService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly calendars: CalendarService,
    private readonly mailer: ReportMailer,
    @Optional() @Inject(REPORT_SECTION_PROVIDERS) private readonly extra: ReportSectionProvider[] | null,
  ) {}

  @OnTask('scheduler', REPORT_RUN_TASK, (c) => ({ pattern: '0 */15 * * * *', tz: c.BUSINESS_TIME_ZONE }))
  async run(): Promise<ReportRunResult> {
    const now = this.clock.now();
    const calendar = await this.calendars.current(now.getTime());
    const today = calendar.dayOf(now);
    const result: ReportRunResult = { generated: [], mailed: 0, failed: 0 };
    for (const kind of reportKinds) {
      const period = lastFinishedPeriod(kind, today);
      if (today < reportDueDay(period, calendar)) continue;
      const stored = await generateReport(this.ds, this.config, period, {
        asOf: now,
        trigger: 'schedule',
        extraSections: this.extra ?? [],
      });
      if (stored.written) result.generated.push(`${kind}:${period.key}`);
      const { mailed, failed } = await this.deliver(stored.id);
      result.mailed += mailed;
      result.failed += failed;
    }
    if (result.generated.length || result.mailed || result.failed) this.logger.log(result, 'report run');
    return result;
  }

  /** Mails a filed report to each address of the list not yet claimed for it. */
  async deliver(reportId: string): Promise<{ mailed: number; failed: number }> {
    let [mailed, failed] = [0, 0];
    if (!this.mailer.configured || !this.config.REPORT_DISTRIBUTION.length) return { mailed, failed };
    for (const address of this.config.REPORT_DISTRIBUTION) {
      const claimed = await this.ds.query<unknown[]>(
        `INSERT INTO report_deliveries (report_id, address, status, attempted_at) VALUES ($1, $2, 'sending', now())
         ON CONFLICT DO NOTHING RETURNING 1`,
        [reportId, address],
      );
      if (!claimed.length) continue;
      const [r] = await this.ds.query<
        Array<{
          title: string;
          period_key: string;
          xlsx: Buffer;
          pdf: Buffer;
          period_start: string;
          period_end: string;
        }>
      >(
        `SELECT title, period_key, xlsx, pdf, to_char(period_start, 'YYYY-MM-DD') AS period_start,
                to_char(period_end - 1, 'YYYY-MM-DD') AS period_end FROM reports WHERE id = $1`,
        [reportId],
      );
      const domain = /@([^>\s]+)>?\s*$/.exec(this.config.EMAIL_FROM)?.[1] ?? 'localhost';
      const messageId = `kefu.report.${reportId}.${Buffer.from(address).toString('hex').slice(0, 40)}@${domain}`;
      const outcome = await this.mailer.send({
        to: address,
        subject: `【${r!.title}】`,
        text: `各位领导：\n\n附件为${r!.title}（${r!.period_start} 至 ${r!.period_end}），含 Excel 明细与 PDF 打印版。\n\n客户服务部\n（本邮件由系统自动发送）`,
        messageId,
        attachments: [
          { filename: reportFileName(r!.title, r!.period_key, 'xlsx'), content: r!.xlsx, contentType: XLSX_TYPE },
          { filename: reportFileName(r!.title, r!.period_key, 'pdf'), content: r!.pdf, contentType: 'application/pdf' },
        ],
      });
      if (outcome.kind === 'retry') {
        // Transient (network, 4xx, no server): give the claim back so the next run tries again.
        await this.ds.query(`DELETE FROM report_deliveries WHERE report_id = $1 AND address = $2`, [reportId, address]);
        this.logger.warn(`report ${reportId} to ${maskText(address)}: ${outcome.detail}; retried next run`);
        continue;
      }
      await this.ds.query(
        `UPDATE report_deliveries SET status = $3, message_id = $4, detail = $5, attempted_at = now()
          WHERE report_id = $1 AND address = $2`,
        [
          reportId,
          address,
          outcome.kind,
          outcome.kind === 'sent' ? messageId : null,
          outcome.kind === 'sent' ? outcome.response : outcome.detail,
        ],
      );
      if (outcome.kind === 'sent') mailed++;
      else failed++;
    }
    return { mailed, failed };
  }
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
