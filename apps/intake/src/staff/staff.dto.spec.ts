import { createStaffSchema } from './staff.dto';

const base = { login: 'li.lei', name: '李雷', role: 'cs_rep', password: 'correct horse battery' };

describe('createStaffSchema mobile', () => {
  it.each([
    ['13812345678', '13812345678'],
    ['+8613812345678', '13812345678'],
    ['+86 138-1234-5678', '13812345678'],
  ])('stores %j as %j, the digits owners are stored with', (mobile, stored) => {
    expect(createStaffSchema.parse({ ...base, mobile }).mobile).toBe(stored);
  });

  it.each([['12345678901'], ['075583345678'], ['+85291234567'], ['1381234567']])('refuses %j', (mobile) => {
    expect(createStaffSchema.safeParse({ ...base, mobile }).success).toBe(false);
  });

  it('leaves it out when not given', () => {
    expect(createStaffSchema.parse(base).mobile).toBeNull();
    expect(createStaffSchema.parse({ ...base, mobile: null }).mobile).toBeNull();
  });
});
