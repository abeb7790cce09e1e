import { noticeKindNames, noticePolicies, noticeReference } from './notice-policy';

describe('notice policy', () => {
  it('prints GG and the first 12 hex digits of the id, upper case', () => {
    expect(noticeReference('0a1b2c3d-4e5f-6789-abcd-ef0123456789')).toBe('GG0A1B2C3D4E5F');
  });

  it('sends safety alerts urgently by SMS and handovers as letters; greetings respect the marketing opt-out', () => {
    expect(noticePolicies.safety_alert).toMatchObject({
      channel: 'sms',
      urgent: true,
      notificationKind: 'estate_notice',
    });
    expect(noticePolicies.handover.channel).toBe('letter');
    expect(noticePolicies.holiday_greeting).toMatchObject({ marketing: true, notificationKind: 'estate_update' });
    expect(Object.keys(noticeKindNames).sort()).toEqual(Object.keys(noticePolicies).sort());
  });
});
