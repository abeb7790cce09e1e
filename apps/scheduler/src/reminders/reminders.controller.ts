import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { AppException, CurrentStaff, Public, ZodValidationPipe, zonedParts, type StaffPrincipal } from '@kefu/shared';
import { ackConfirmPage, ackPage, ackPageHeaders } from './ack-page';
import { isAtOrAbove } from './chain';
import { ReminderQueryService, type ReminderView } from './reminder-query.service';
import { ReminderService } from './reminder.service';
import { listRemindersSchema, type ListRemindersQuery } from './reminders.dto';

const uuid = new ParseUUIDPipe();

@ApiTags('reminders')
@ApiBearerAuth()
@Controller('api/v1/reminders')
export class RemindersController {
  constructor(
    private readonly reminders: ReminderService,
    private readonly query: ReminderQueryService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      "My reminders (scope=team: my team's, for managers): state=due, overdue, unacknowledged (default), acknowledged, all",
  })
  @ApiQuery({ name: 'state', required: false, enum: ['due', 'overdue', 'unacknowledged', 'acknowledged', 'all'] })
  @ApiQuery({ name: 'scope', required: false, enum: ['mine', 'team'] })
  @ApiQuery({ name: 'limit', required: false, example: 100 })
  async list(
    @Query(new ZodValidationPipe(listRemindersSchema)) q: ListRemindersQuery,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<ReminderView[]> {
    if (q.scope === 'team' && !['dept_manager', 'vice_gm', 'gm', 'admin'].includes(s.role)) {
      throw new AppException(
        'forbidden',
        "只有部门经理及以上可查看团队的提醒。(Only managers see their team's reminders.)",
      );
    }
    return this.query.list(s.id, q);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge a reminder: its recipient, anyone above them on the chain, or an admin' })
  async ack(
    @Param('id', uuid) id: string,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<{ id: string; acknowledgedAt: string }> {
    const target = await this.query.recipientOf(id, s.id);
    if (!target) throw new AppException('not_found', `没有这条提醒 (no reminder ${id}).`);
    // Above the recipient: by reports_to or rank, or on this case's escalation chain (they were escalated to).
    const allowed =
      target.escalatedToStaff ||
      (target.recipientStaffId
        ? await isAtOrAbove(this.ds.manager, s.id, s.role, target.recipientStaffId)
        : ['admin', 'gm', 'vice_gm', 'dept_manager'].includes(s.role));
    if (!allowed)
      throw new AppException(
        'forbidden',
        '只有提醒的接收人或其上级可以确认。(Only the recipient or someone above them may acknowledge.)',
      );
    const r = await this.reminders.acknowledge(id, { staffId: s.id, via: 'api' });
    if (r.outcome === 'unknown') throw new AppException('not_found', `没有这条提醒 (no reminder ${id}).`);
    if (r.outcome === 'already')
      throw new AppException('conflict', `此提醒已于 ${r.acknowledgedAt!.toISOString()} 确认。(Already acknowledged.)`);
    return { id, acknowledgedAt: r.acknowledgedAt!.toISOString() };
  }
}

/** The one-click link in reminder emails and SMS: no login, signed, expires, works once. */
@ApiTags('reminders')
@Public('signed one-click acknowledgement links in staff reminders')
@Controller('ack')
export class AckLinkController {
  constructor(private readonly reminders: ReminderService) {}

  @Get(':token')
  @ApiOperation({
    summary:
      'The page of a signed acknowledgement link: what the reminder is about and a button that POSTs to acknowledge (opening the link acknowledges nothing); 400 invalid, 404 gone, 409 already used, 410 expired',
  })
  async confirm(@Param('token') token: string, @Res({ passthrough: true }) res: Response): Promise<string> {
    res.set(ackPageHeaders);
    const checked = this.check(token, res);
    if ('page' in checked) return checked.page;
    const about = await this.reminders.describe(checked.id);
    if (!about) {
      res.status(404);
      return ackPage('提醒不存在', '找不到这条提醒，可能已被撤销。');
    }
    if (about.acknowledgedAt) {
      res.status(409);
      return ackPage('已确认过', `这条提醒已于 ${shanghai(about.acknowledgedAt)} 确认，此链接只能使用一次。`);
    }
    return ackConfirmPage(`案件 ${about.caseNumber}：「${about.stepLabel}」，期限 ${shanghai(about.dueAt)}`);
  }

  @Post(':token')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Acknowledge a reminder from its signed link (the button on its page): 200 done, 400 invalid, 409 already used, 410 expired',
  })
  async ack(@Param('token') token: string, @Res({ passthrough: true }) res: Response): Promise<string> {
    res.set(ackPageHeaders);
    const checked = this.check(token, res);
    if ('page' in checked) return checked.page;
    const r = await this.reminders.acknowledge(checked.id, { staffId: null, via: 'link' });
    if (r.outcome === 'unknown') {
      res.status(404);
      return ackPage('提醒不存在', '找不到这条提醒，可能已被撤销。');
    }
    if (r.outcome === 'already') {
      res.status(409);
      return ackPage('已确认过', `这条提醒已于 ${shanghai(r.acknowledgedAt!)} 确认，此链接只能使用一次。`);
    }
    return ackPage('已确认', '提醒已确认，谢谢。请按时限处理该事项。');
  }

  /** The reminder of a valid, unexpired link; else the page saying what is wrong (status set). */
  private check(token: string, res: Response): { id: string } | { page: string } {
    const claim = this.reminders.tokens.verify(token);
    if (!claim) {
      res.status(400);
      return {
        page: ackPage(
          '链接无效',
          '此确认链接无效或已被改动。请从提醒邮件或短信中重新打开，或登录系统在“我的提醒”中确认。',
        ),
      };
    }
    if (claim.expiresAt <= this.reminders.now()) {
      res.status(410);
      return { page: ackPage('链接已过期', '此确认链接已过期。请登录系统，在“我的提醒”中确认这条提醒。') };
    }
    return { id: claim.reminderId };
  }
}

function shanghai(d: Date): string {
  const p = zonedParts(d, 'Asia/Shanghai');
  const minutes = Math.floor(p.msOfDay / 60_000);
  return `${p.day} ${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
