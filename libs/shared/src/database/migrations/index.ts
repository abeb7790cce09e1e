import { Init1795434978430 } from './1795434978430-Init';
import { Intake1795436748074 } from './1795436748074-Intake';
import { IntakeChannels1795437785544 } from './1795437785544-IntakeChannels';
import { WebFormIpIndex1795440000000 } from './1795440000000-WebFormIpIndex';
import { Notifications1795443959255 } from './1795443959255-Notifications';
import { Reminders1795444491630 } from './1795444491630-Reminders';
import { WarrantyAndCertificateNotices1795444532749 } from './1795444532749-WarrantyAndCertificateNotices';
import { Letters1795444560083 } from './1795444560083-Letters';
import { NotifierSendIndex1795446032593 } from './1795446032593-NotifierSendIndex';
import { DropUsedChallenges1795448000000 } from './1795448000000-DropUsedChallenges';
import { UnitsVersion1795450000000 } from './1795450000000-UnitsVersion';
import { WebIpUsage1795464105591 } from './1795464105591-WebIpUsage';
import { OwnersEmailLower1795470000000 } from './1795470000000-OwnersEmailLower';
import { IntakeDeliveryReport1795480000000 } from './1795480000000-IntakeDeliveryReport';
import { CasesPlannedRound1795490000000 } from './1795490000000-CasesPlannedRound';
import { NotificationsPartialIndexes1795500000000 } from './1795500000000-NotificationsPartialIndexes';
import { OwnerUnitsCurrentByUnit1795510000000 } from './1795510000000-OwnerUnitsCurrentByUnit';
import { Routing1795520000000 } from './1795520000000-Routing';
import { WarrantyNoticesUnitProjectKey1795525000000 } from './1795525000000-WarrantyNoticesUnitProjectKey';
import { ReturnVisits1795530000000 } from './1795530000000-ReturnVisits';
import { DeadlinesDone1795540000000 } from './1795540000000-DeadlinesDone';
import { AttachmentsEvidence1795545000000 } from './1795545000000-AttachmentsEvidence';
import { CasesWarranty1795550000000 } from './1795550000000-CasesWarranty';
import { EscalationChain1795555000000 } from './1795555000000-EscalationChain';
import { StaffLifecycle1795560000000 } from './1795560000000-StaffLifecycle';
import { Retention1795565000000 } from './1795565000000-Retention';
import { WebUploadUsage1795570000000 } from './1795570000000-WebUploadUsage';
import { OwnerLifeStage1795575000000 } from './1795575000000-OwnerLifeStage';
import { OwnerVisits1795585000000 } from './1795585000000-OwnerVisits';
import { Surveys1795580000000 } from './1795580000000-Surveys';
import { CaseLibrary1795610000000 } from './1795610000000-CaseLibrary';
import { EstateNotices1795590000000 } from './1795590000000-EstateNotices';
import { SmsRoute1795600000000 } from './1795600000000-SmsRoute';
import { Reports1795605000000 } from './1795605000000-Reports';
import { NotificationClaim1795615000000 } from './1795615000000-NotificationClaim';
import { OutboxSettled1795620000000 } from './1795620000000-OutboxSettled';
import { SmsTemplateAlert1795630000000 } from './1795630000000-SmsTemplateAlert';
import { NotificationClaimMany1795640000000 } from './1795640000000-NotificationClaimMany';
import { NotificationSameTextIndex1795650000000 } from './1795650000000-NotificationSameTextIndex';

/** Every migration, oldest first. WARNING: never edit a migration that has landed; add a new one. */
export const migrations = [
  Init1795434978430,
  Intake1795436748074,
  IntakeChannels1795437785544,
  WebFormIpIndex1795440000000,
  Notifications1795443959255,
  Reminders1795444491630,
  WarrantyAndCertificateNotices1795444532749,
  Letters1795444560083,
  NotifierSendIndex1795446032593,
  DropUsedChallenges1795448000000,
  UnitsVersion1795450000000,
  WebIpUsage1795464105591,
  OwnersEmailLower1795470000000,
  IntakeDeliveryReport1795480000000,
  CasesPlannedRound1795490000000,
  NotificationsPartialIndexes1795500000000,
  OwnerUnitsCurrentByUnit1795510000000,
  Routing1795520000000,
  WarrantyNoticesUnitProjectKey1795525000000,
  ReturnVisits1795530000000,
  DeadlinesDone1795540000000,
  AttachmentsEvidence1795545000000,
  CasesWarranty1795550000000,
  EscalationChain1795555000000,
  StaffLifecycle1795560000000,
  Retention1795565000000,
  WebUploadUsage1795570000000,
  OwnerLifeStage1795575000000,
  OwnerVisits1795585000000,
  Surveys1795580000000,
  EstateNotices1795590000000,
  SmsRoute1795600000000,
  Reports1795605000000,
  CaseLibrary1795610000000,
  NotificationClaim1795615000000,
  OutboxSettled1795620000000,
  SmsTemplateAlert1795630000000,
  NotificationClaimMany1795640000000,
  NotificationSameTextIndex1795650000000,
];
