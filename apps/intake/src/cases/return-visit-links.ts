import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, LinkSigner, uuidBytes, uuidFromBytes, type AppConfig } from '@kefu/shared';

/** The return-visit page's one-time link: the case and the round (the n-th resolution) it asks about, until when. */
@Injectable()
export class ReturnVisitLinks {
  private readonly signer: LinkSigner;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.signer = new LinkSigner(config.AUTH_TOKEN_SECRET, 'return-visit-link v1');
  }

  sign(caseId: string, round: number, expiresAt: Date): string {
    return this.signer.sign(Buffer.concat([uuidBytes(caseId), Buffer.from([Math.min(round, 255)])]), expiresAt);
  }

  verify(token: string): { caseId: string; round: number; expiresAt: Date } | null {
    const v = this.signer.verify(token, 17);
    return v && { caseId: uuidFromBytes(v.payload.subarray(0, 16)), round: v.payload[16]!, expiresAt: v.expiresAt };
  }
}
