import { Init1795434978430 } from './1795434978430-Init';
import { Intake1795436748074 } from './1795436748074-Intake';
import { IntakeChannels1795437785544 } from './1795437785544-IntakeChannels';
import { WebFormIpIndex1795440000000 } from './1795440000000-WebFormIpIndex';
import { Notifications1795443959255 } from './1795443959255-Notifications';
import { NotifierSendIndex1795446032593 } from './1795446032593-NotifierSendIndex';

/** Every migration, oldest first. WARNING: never edit a migration that has landed; add a new one. */
export const migrations = [Init1795434978430, Intake1795436748074, IntakeChannels1795437785544, WebFormIpIndex1795440000000, Notifications1795443959255, NotifierSendIndex1795446032593];
