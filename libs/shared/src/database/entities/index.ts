import { AttachmentEntity } from './attachment.entity';
import { BuildingEntity } from './building.entity';
import { MailboxCursorEntity } from './mailbox-cursor.entity';
import { SentMessageEntity } from './sent-message.entity';
import { BoxCollectionEntity, SuggestionBoxEntity } from './suggestion-box.entity';
import { CallEntity } from './call.entity';
import { CaseLinkEntity } from './case-link.entity';
import { IntakeRecordEntity } from './intake-record.entity';
import { OutboxEntity } from './outbox.entity';
import { NotificationEntity, NotificationReceiptEntity } from './notification.entity';
import { CalendarOverrideEntity } from './calendar-override.entity';
import { CaseEventEntity } from './case-event.entity';
import { CaseNumberCounterEntity } from './case-number-counter.entity';
import { CaseEntity } from './case.entity';
import { DepartmentEntity } from './department.entity';
import { OwnerUnitEntity } from './owner-unit.entity';
import { OwnerEntity } from './owner.entity';
import { ProjectEntity } from './project.entity';
import { StaffEntity } from './staff.entity';
import { UnitEntity } from './unit.entity';
import { WebIpUsageEntity, WebUploadUsageEntity } from './web-ip-usage.entity';
import { AuthEventEntity } from './auth-event.entity';
import { ReturnVisitEntity } from './return-visit.entity';
import { LetterEntity, LetterManifestEntity } from './letter.entity';
import { CaseDeadlineEntity, ReminderEntity } from './reminder.entity';
import { DepartmentResponsibilityEntity, DutyRosterEntity } from './routing.entity';
import { EscalationLevelEntity } from './escalation-level.entity';
import { PrivacyRequestEntity, RetentionRunEntity } from './retention.entity';
import { ReportDeliveryEntity, ReportEntity } from './report.entity';
import { NoticeEntity, NoticeRecipientEntity } from './notice.entity';
import {
  ScanStateEntity,
  WarrantyItemEntity,
  WarrantyNoticeEntity,
  WarrantyRecheckEntity,
  WarrantySeasonEntity,
} from './warranty.entity';
import {
  CertificateBatchEntity,
  CertificateBatchUnitEntity,
  CertificateCollectionEntity,
  CertificateNoticeEntity,
} from './certificate.entity';
import {
  CaseSearchEntity,
  CaseWriteupEntity,
  CaseWriteupShareEntity,
  CorrectiveActionEntity,
} from './case-library.entity';
import { OwnerVisitEntity, VisitPlanEntity, VisitRecordEntity, VisitStaffEntity } from './visit.entity';
import {
  SurveyAnswerEntity,
  SurveyInvitationEntity,
  SurveyQuestionnaireEntity,
  SurveyRoundEntity,
} from './survey.entity';

export * from './enums';
export { intakeOutcomes, type IntakeOutcome } from './intake-record.entity';
export { attachmentRoles, type AttachmentRole } from './attachment.entity';
export { letterStatuses, type LetterStatus } from './letter.entity';
export {
  notificationKinds,
  notificationStatuses,
  recipientTypes,
  type NotificationKind,
  type NotificationStatus,
  type RecipientType,
} from './notification.entity';
export {
  BuildingEntity,
  CalendarOverrideEntity,
  CaseEventEntity,
  CaseNumberCounterEntity,
  CaseEntity,
  DepartmentEntity,
  OwnerUnitEntity,
  OwnerEntity,
  ProjectEntity,
  StaffEntity,
  UnitEntity,
  IntakeRecordEntity,
  OutboxEntity,
  CallEntity,
  CaseLinkEntity,
  AttachmentEntity,
  MailboxCursorEntity,
  SentMessageEntity,
  SuggestionBoxEntity,
  BoxCollectionEntity,
  NotificationEntity,
  NotificationReceiptEntity,
  LetterEntity,
  LetterManifestEntity,
  WebIpUsageEntity,
  WebUploadUsageEntity,
  AuthEventEntity,
};
export { authEventKinds, type AuthEventKind } from './auth-event.entity';
export { CaseDeadlineEntity, ReminderEntity };
export { ReturnVisitEntity };
export { returnVisitVias, type ReturnVisitVia } from './return-visit.entity';
export { DepartmentResponsibilityEntity, DutyRosterEntity };
export { EscalationLevelEntity };
export { PrivacyRequestEntity, RetentionRunEntity };
export {
  privacyRequestKinds,
  retentionRunStatuses,
  type PrivacyRequestKind,
  type RetentionRunStatus,
} from './retention.entity';
export { escalationResolvers, type EscalationResolver } from './escalation-level.entity';
export {
  deadlineSteps,
  deadlineStates,
  reminderKinds,
  type DeadlineStep,
  type DeadlineState,
  type ReminderKind,
} from './reminder.entity';
export {
  warrantyBases,
  warrantyNoticeStatuses,
  type WarrantyBasis,
  type WarrantyNoticeStatus,
} from './warranty.entity';
export { idDocumentTypes, collectorRelations, type IdDocumentType, type CollectorRelation } from './certificate.entity';
export { ScanStateEntity, WarrantyItemEntity, WarrantyNoticeEntity, WarrantyRecheckEntity, WarrantySeasonEntity };
export { CertificateBatchEntity, CertificateBatchUnitEntity, CertificateCollectionEntity, CertificateNoticeEntity };
export { OwnerVisitEntity, VisitPlanEntity, VisitRecordEntity, VisitStaffEntity };
export {
  visitKinds,
  visitMethods,
  visitOutcomes,
  visitStatuses,
  type VisitKind,
  type VisitMethod,
  type VisitOutcome,
  type VisitStatus,
} from './visit.entity';
export { SurveyAnswerEntity, SurveyInvitationEntity, SurveyQuestionnaireEntity, SurveyRoundEntity };
export { surveyAnswerVias, type SurveyAnswerVia } from './survey.entity';
export { CaseSearchEntity, CaseWriteupEntity, CaseWriteupShareEntity, CorrectiveActionEntity };
export { correctiveActionStatuses, type CorrectiveActionStatus } from './case-library.entity';

/** Every entity, for the data source. Later features append theirs. */
export const entities = [
  ProjectEntity,
  BuildingEntity,
  UnitEntity,
  OwnerEntity,
  OwnerUnitEntity,
  DepartmentEntity,
  StaffEntity,
  CaseEntity,
  CaseEventEntity,
  CaseNumberCounterEntity,
  CalendarOverrideEntity,
  IntakeRecordEntity,
  OutboxEntity,
  CallEntity,
  CaseLinkEntity,
  AttachmentEntity,
  MailboxCursorEntity,
  SentMessageEntity,
  SuggestionBoxEntity,
  BoxCollectionEntity,
  NotificationEntity,
  NotificationReceiptEntity,
  LetterEntity,
  LetterManifestEntity,
  CaseDeadlineEntity,
  ReminderEntity,
  WarrantyItemEntity,
  WarrantySeasonEntity,
  WarrantyNoticeEntity,
  WarrantyRecheckEntity,
  ScanStateEntity,
  CertificateBatchEntity,
  CertificateBatchUnitEntity,
  CertificateNoticeEntity,
  CertificateCollectionEntity,
  WebIpUsageEntity,
  WebUploadUsageEntity,
  AuthEventEntity,
  ReturnVisitEntity,
  DepartmentResponsibilityEntity,
  DutyRosterEntity,
  EscalationLevelEntity,
  RetentionRunEntity,
  PrivacyRequestEntity,
  VisitStaffEntity,
  VisitPlanEntity,
  OwnerVisitEntity,
  VisitRecordEntity,
  SurveyQuestionnaireEntity,
  SurveyRoundEntity,
  SurveyInvitationEntity,
  SurveyAnswerEntity,
  NoticeEntity,
  NoticeRecipientEntity,
  CaseSearchEntity,
  CaseWriteupEntity,
  CaseWriteupShareEntity,
  CorrectiveActionEntity,
  ReportEntity,
  ReportDeliveryEntity,
];
export {
  NoticeEntity,
  NoticeRecipientEntity,
  noticeKinds,
  noticeStatuses,
  noticeExclusions,
  type NoticeKind,
  type NoticeStatus,
  type NoticeExclusion,
} from './notice.entity';
export { ReportEntity, ReportDeliveryEntity, reportDeliveryStatuses, type ReportDeliveryStatus } from './report.entity';
