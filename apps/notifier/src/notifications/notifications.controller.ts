import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, jsonSchema, Roles, ZodValidationPipe, type StaffPrincipal } from '@kefu/shared';
import {
  listNotificationsSchema,
  previewSchema,
  type ListNotificationsQuery,
  type PreviewBody,
} from './notifications.dto';
import { NotificationsService } from './notifications.service';

const staff = ['cs_rep', 'dept_manager', 'vice_gm', 'gm'] as const;
const uuid = new ParseUUIDPipe();

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/v1')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get('notifications')
  @Roles(...staff)
  @ApiOperation({
    summary:
      'Notifications, newest first, filtered by case, owner, channel, status, kind; failed ones carry errorCode and errorMessage',
  })
  list(@Query(new ZodValidationPipe(listNotificationsSchema)) q: ListNotificationsQuery) {
    return this.notifications.list(q);
  }

  @Get('notifications/:id')
  @Roles(...staff)
  @ApiOperation({
    summary:
      'One notification: what was sent where (addresses masked), its receipt timeline and any fallbacks; the links in a message (acknowledgement, return visit) only for the staff member it was sent to',
  })
  detail(@Param('id', uuid) id: string, @CurrentStaff() s: StaffPrincipal) {
    return this.notifications.detail(id, s);
  }

  @Post('notifications/:id/retry')
  @HttpCode(200)
  @Roles(...staff)
  @ApiOperation({
    summary: 'A fresh attempt for a failed, undelivered or bounced notification (once, however often clicked)',
  })
  retry(@Param('id', uuid) id: string, @CurrentStaff() s: StaffPrincipal) {
    return this.notifications.retry(id, s);
  }

  @Post('notification-templates/:kind/preview')
  @HttpCode(200)
  @Roles(...staff)
  @ApiOperation({
    summary: 'Render a template with the given variables (SMS, email and letter forms); 400 names each bad variable',
  })
  @ApiBody({ schema: jsonSchema(previewSchema) })
  preview(@Param('kind') kind: string, @Body(new ZodValidationPipe(previewSchema)) body: PreviewBody) {
    return this.notifications.preview(kind, body);
  }
}
