import { Module } from '@nestjs/common';
import { CertificateController } from './certificate.controller';
import { CertificateService } from './certificate.service';

/** Property-certificate collection notices (办证通知, 000 §6.2.2). */
@Module({ controllers: [CertificateController], providers: [CertificateService] })
export class CertificateModule {}
