import type { EntityManager } from 'typeorm';
import { resolveNoticeAudience } from '@kefu/shared';
import type { DemoEstate } from './estate';

/**
 * A typhoon alert for the whole estate, written by the rep and left as a draft with its audience resolved: a new
 * user opens 通知公告, sees who gets it and who is left out, sends it and finds every owner's SMS in the local
 * outbox at once (a safety alert ignores the night's quiet hours).
 */
export async function writeDraftNotices(m: EntityManager, e: DemoEstate, today: string): Promise<number> {
  const [n] = await m.query<Array<{ id: string }>>(
    `INSERT INTO notices (project_id, kind, title, body, created_by_id)
     VALUES ($1, 'safety_alert', '台风“海燕”红色预警', $2, $3) RETURNING id`,
    [
      e.projectId,
      '台风“海燕”预计今夜在我市登陆，请关好门窗、收起阳台物品，非必要不外出。如有险情请拨打物业24小时值班电话。',
      e.staff.rep.id,
    ],
  );
  const { recipients } = await resolveNoticeAudience(
    m,
    { id: n!.id, projectId: e.projectId, kind: 'safety_alert' },
    {},
    today,
    {},
  );
  return recipients;
}
