import { Module } from '@nestjs/common';
import { CertificateController } from './certificate.controller';
import { CertificateService } from './certificate.service';
import { CertificateNotices } from './certificate-notices';
import { CertificateViews } from './certificate-views';

/** Property-certificate collection notices (办证通知, 000 §6.2.2). */
@Module({ controllers: [CertificateController], providers: [CertificateService, CertificateNotices, CertificateViews] })
export class CertificateModule {}
