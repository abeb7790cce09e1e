import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  addDays,
  zonedParts,
  APP_CONFIG,
  AppException,
  CallEntity,
  normalisePhone,
  unitLabelSql,
  type AppConfig,
  type CaseStatus,
  type CaseType,
  type NormalisedPhone,
  type StaffPrincipal,
} from '@kefu/shared';
import { CaseIntakeService } from '../cases/case-intake.service';
import { parseCdrCsv, type CdrProblem } from './cdr';
import type { LogCallDto } from './hotline.dto';
import { readBackSentence } from './read-back';

export interface LoggedCall {
  created: boolean;
  case: { id: string; number: string; type: CaseType; promisedReplyAt: string | null; matchStatus: string };
  /** Read this back to the caller. */
  readBack: string;
}

export interface CallerLookup {
  number: NormalisedPhone | null;
  owners: Array<{
    id: string;
    name: string;
    relation: string;
    units: Array<{ id: string; label: string; projectCode: string }>;
  }>;
  openCases: Array<{
    id: string;
    number: string;
    type: CaseType;
    status: CaseStatus;
    promisedReplyAt: string | null;
    summary: string;
  }>;
  /** e.g. "此来电已有 2 件未结案件" — what the operator sees first. */
  headline: string;
}

export interface CdrImportReport {
  lines: number;
  created: Array<{ number: string; line: number; kind: 'missed' | 'voicemail' }>;
  alreadyImported: number;
  answered: number;
  problems: CdrProblem[];
}

const day = (d: Date, tz: string) => zonedParts(d, tz).day;

@Injectable()
export class HotlineService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly intake: CaseIntakeService,
  ) {}

  async logCall(dto: LogCallDto, staff: StaffPrincipal): Promise<LoggedCall> {
    const tz = this.config.BUSINESS_TIME_ZONE;
    const startedAt = new Date(dto.startedAt);
    const keepDays = this.config.RECORDING_MIN_KEEP_DAYS;
    const minKeep = addDays(day(startedAt, tz), keepDays);
    const keepUntil = dto.recordingRef ? (dto.recordingKeepUntil ?? minKeep) : dto.recordingKeepUntil;
    if (keepUntil && keepUntil < minKeep) {
      throw new AppException('validation_failed', 'Invalid input: recordingKeepUntil', {
        fields: [
          {
            field: 'recordingKeepUntil',
            message: `录音至少保存${keepDays}天：不早于 ${minKeep} (recordings are kept at least ${keepDays} days)`,
          },
        ],
      });
    }
    const phone = normalisePhone(dto.callerNumber);
    const result = await this.intake.create({
      channel: 'hotline',
      source: 'hotline',
      externalId: dto.idempotencyKey,
      raw: { ...dto, operatorId: staff.id },
      receivedAt: startedAt,
      reporter: { name: dto.reporterName, contact: dto.callerNumber, phones: phone ? [phone.digits] : [] },
      description: dto.summary,
      unitText: dto.unitText,
      projectId: dto.projectId,
      unitId: dto.unitId,
      ...(dto.type ? { type: dto.type } : {}),
      ...(dto.category !== undefined ? { category: dto.category } : {}),
      ...(dto.severity ? { severity: dto.severity } : {}),
      namedStaffId: dto.namedStaffId,
      actor: { kind: 'staff', id: staff.id, name: staff.name },
      with: [
        {
          entity: CallEntity,
          values: {
            callerNumber: dto.callerNumber,
            callerDigits: phone?.digits ?? null,
            startedAt,
            durationSeconds: dto.durationSeconds,
            direction: dto.direction,
            voicemail: dto.voicemail,
            missed: false,
            recordingRef: dto.recordingRef ?? null,
            recordingKeepUntil: keepUntil ?? null,
            operatorId: staff.id,
            summary: dto.summary,
          },
        },
      ],
    });
    const c = result.caseRow;
    return {
      created: result.created,
      case: {
        id: c.id,
        number: c.number,
        type: c.type,
        promisedReplyAt: c.promisedReplyAt?.toISOString() ?? null,
        matchStatus: c.matchStatus,
      },
      readBack: readBackSentence(c, c.description, tz),
    };
  }

  async lookup(raw: string): Promise<CallerLookup> {
    const number = normalisePhone(raw);
    if (!number)
      return {
        number: null,
        owners: [],
        openCases: [],
        headline: '号码无法识别，请手工查找 (not a phone number we can read)',
      };
    const owners = await this.ds.query<
      Array<{
        id: string;
        name: string;
        relation: string | null;
        unit_id: string | null;
        label: string | null;
        code: string | null;
      }>
    >(
      `SELECT o.id, o.name, ou.relation, u.id AS unit_id, p.code,
              p.name || ' ' || ${unitLabelSql('u', 'b')} AS label
         FROM owners o
         LEFT JOIN owner_units ou ON ou.owner_id = o.id AND ou.until IS NULL
         LEFT JOIN units u ON u.id = ou.unit_id
         LEFT JOIN buildings b ON b.id = u.building_id
         LEFT JOIN projects p ON p.id = u.project_id
        WHERE o.mobiles @> ARRAY[$1]::text[]
        ORDER BY o.name, label`,
      [number.digits],
    );
    const byOwner = new Map<string, CallerLookup['owners'][number]>();
    for (const r of owners) {
      const o = byOwner.get(r.id) ?? { id: r.id, name: r.name, relation: r.relation ?? 'owner', units: [] };
      if (r.unit_id && r.label && r.code) o.units.push({ id: r.unit_id, label: r.label, projectCode: r.code });
      byOwner.set(r.id, o);
    }
    const ownerIds = [...byOwner.keys()];
    const cases = await this.ds.query<
      Array<{
        id: string;
        number: string;
        type: CaseType;
        status: CaseStatus;
        promised_reply_at: Date | null;
        description: string;
      }>
    >(
      `SELECT id, number, type, status, promised_reply_at, description FROM cases
        WHERE status NOT IN ('closed', 'rejected') AND (reporter_phone = $1 OR owner_id = ANY($2::uuid[]))
        ORDER BY received_at DESC LIMIT 50`,
      [number.digits, ownerIds],
    );
    const openCases = cases.map((c) => ({
      id: c.id,
      number: c.number,
      type: c.type,
      status: c.status,
      promisedReplyAt: c.promised_reply_at?.toISOString() ?? null,
      summary: c.description.slice(0, 80),
    }));
    const who = byOwner.size === 0 ? '未登记的号码' : [...byOwner.values()].map((o) => o.name).join('、');
    return {
      number,
      owners: [...byOwner.values()],
      openCases,
      headline: `${who}：此来电${openCases.length ? `已有 ${openCases.length} 件未结案件` : '没有未结案件'}`,
    };
  }

  /** Missed and voicemail calls become callback cases; answered ones were logged by an operator. Idempotent per CDR line. */
  async importCdr(text: string, staff: StaffPrincipal): Promise<CdrImportReport> {
    const tz = this.config.BUSINESS_TIME_ZONE;
    const { rows, problems } = parseCdrCsv(text, tz);
    if (rows.length === 0 && problems.length > 0 && problems[0]?.line === 0)
      throw new AppException('validation_failed', problems[0].message);
    const report: CdrImportReport = {
      lines: rows.length + problems.length,
      created: [],
      alreadyImported: 0,
      answered: 0,
      problems,
    };
    for (const row of rows) {
      if (row.kind === 'answered') {
        report.answered += 1;
        continue;
      }
      const caller = row.src || /<([^>]+)>/.exec(row.clid)?.[1] || row.clid || 'withheld';
      const phone = normalisePhone(caller);
      const when = new Intl.DateTimeFormat('zh-CN', { timeZone: tz, dateStyle: 'short', timeStyle: 'short' }).format(
        row.start,
      );
      const description =
        row.kind === 'voicemail'
          ? `语音留言（${when}，${row.billsec}秒），请收听留言并回电`
          : `未接来电（${when}），请回电`;
      const result = await this.intake.create({
        channel: 'hotline',
        source: 'cdr',
        externalId: row.key,
        raw: { ...row, start: row.start.toISOString() },
        receivedAt: row.start,
        reporter: { contact: caller, phones: phone ? [phone.digits] : [] },
        description,
        type: 'enquiry',
        actor: { kind: 'system', label: `CDR import by ${staff.name}` },
        with: [
          {
            entity: CallEntity,
            values: {
              callerNumber: caller,
              callerDigits: phone?.digits ?? null,
              startedAt: row.start,
              durationSeconds: row.duration,
              direction: 'in',
              voicemail: row.kind === 'voicemail',
              missed: row.kind === 'missed',
              recordingRef: null,
              recordingKeepUntil: null,
              operatorId: null,
              summary: description,
            },
          },
        ],
      });
      if (result.created) report.created.push({ number: result.caseRow.number, line: row.line, kind: row.kind });
      else report.alreadyImported += 1;
    }
    return report;
  }
}
