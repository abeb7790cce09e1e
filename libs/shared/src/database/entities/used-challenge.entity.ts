import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Proof-of-work challenges of the public web form that have been spent: each works once. */
@Entity({ name: 'used_challenges' })
@Index('ix_used_challenges_expires', ['expiresAt'])
export class UsedChallengeEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) challengeId!: string;
  /** After this the challenge is refused anyway, so the row may be deleted. */
  @Column({ type: 'timestamptz' }) expiresAt!: Date;
}
