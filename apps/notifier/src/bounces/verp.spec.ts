import { verpNotificationId } from './verp';

describe('VERP return paths', () => {
  it('takes the notification id from a VERP return path only', () => {
    expect(verpNotificationId('bounces+0F8E0A56-2b5c-4d7e-9c1a-3f2e1d0c9b8a@kefu.example.com')).toBe(
      '0f8e0a56-2b5c-4d7e-9c1a-3f2e1d0c9b8a',
    );
    expect(verpNotificationId('0f8e0a56-2b5c-4d7e-9c1a-3f2e1d0c9b8a@kefu.example.com')).toBeNull();
    expect(verpNotificationId('bounces+nope@kefu.example.com')).toBeNull();
  });
});
