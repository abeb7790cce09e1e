import { findPhones, isMainlandMobile, isSmsNumber, normalisePhone, parsePhoneDigits, smsE164 } from './phone';

const digitsOf = (text: string): string[] => findPhones(text).map((p) => p.digits);

describe('normalisePhone', () => {
  it.each([
    // mobiles, every way people write them
    ['13812345678', '13812345678', '138 1234 5678'],
    ['138 1234 5678', '13812345678', '138 1234 5678'],
    ['138-1234-5678', '13812345678', '138 1234 5678'],
    ['138.1234.5678', '13812345678', '138 1234 5678'],
    ['  19912345678 ', '19912345678', '199 1234 5678'],
    ['+8613812345678', '13812345678', '138 1234 5678'],
    ['+86 138 1234 5678', '13812345678', '138 1234 5678'],
    ['+86-138-1234-5678', '13812345678', '138 1234 5678'],
    ['+86 (138) 1234-5678', '13812345678', '138 1234 5678'],
    ['(+86)13812345678', '13812345678', '138 1234 5678'],
    ['86 13812345678', '13812345678', '138 1234 5678'],
    ['8613812345678', '13812345678', '138 1234 5678'],
    ['008613812345678', '13812345678', '138 1234 5678'],
    ['0086 138 1234 5678', '13812345678', '138 1234 5678'],
    ['１３８１２３４５６７８', '13812345678', '138 1234 5678'],
    ['＋８６ １３８－１２３４－５６７８', '13812345678', '138 1234 5678'],
    ['013812345678', '13812345678', '138 1234 5678'], // trunk prefix on an out-of-town mobile (CDR caller id)
    // landlines
    ['0755-83345678', '075583345678', '0755-83345678'],
    ['075583345678', '075583345678', '0755-83345678'],
    ['(0755)83345678', '075583345678', '0755-83345678'],
    ['（0755）83345678', '075583345678', '0755-83345678'],
    ['(0755) 8334-5678', '075583345678', '0755-83345678'],
    ['0755 8334 5678', '075583345678', '0755-83345678'],
    ['0755—83345678', '075583345678', '0755-83345678'],
    ['0755－83345678', '075583345678', '0755-83345678'],
    ['０７５５－８３３４５６７８', '075583345678', '0755-83345678'],
    ['010-12345678', '01012345678', '010-12345678'],
    ['010 6552 9988', '01065529988', '010-65529988'],
    ['021-62345678', '02162345678', '021-62345678'],
    ['(020)87654321', '02087654321', '020-87654321'],
    ['0571-8765432', '05718765432', '0571-8765432'], // 7-digit subscriber number
    ['+86 755 8334 5678', '075583345678', '0755-83345678'],
    ['+86-10-6552-9988', '01065529988', '010-65529988'],
    ['+86 (0)755 83345678', '075583345678', '0755-83345678'],
    ['0086 21 6234 5678', '02162345678', '021-62345678'],
    // extensions are dropped
    ['0755-83345678转123', '075583345678', '0755-83345678'],
    ['0755-83345678 转 8001', '075583345678', '0755-83345678'],
    ['0755-83345678 ext. 12', '075583345678', '0755-83345678'],
    ['0755-83345678x12', '075583345678', '0755-83345678'],
    ['0755-83345678-123', '075583345678', '0755-83345678'],
    // a single number with words around it
    ['手机：138-1234-5678（张先生）', '13812345678', '138 1234 5678'],
    ['Tel: +86 138 1234 5678', '13812345678', '138 1234 5678'],
  ])('%j → %s', (raw, digits, display) => {
    expect(normalisePhone(raw)).toEqual({
      kind: digits.length === 11 && digits.startsWith('1') ? 'mobile' : 'landline',
      digits,
      display,
    });
  });

  it.each([
    ['400-820-8820', '4008208820', '400-820-8820'],
    ['4008208820', '4008208820', '400-820-8820'],
    ['800 810 1234', '8008101234', '800-810-1234'],
  ])('accepts the service number %j as a landline, digits as given', (raw, digits, display) => {
    expect(normalisePhone(raw)).toEqual({ kind: 'landline', digits, display });
  });

  it.each([
    [''],
    ['   '],
    ['匿名'],
    ['anonymous'],
    ['12345'],
    ['83345678'], // local number without area code: which city?
    ['1381234567'], // 10 digits
    ['138123456789'], // 12 digits
    ['123456789012'], // 12 digits, not a phone
    ['12812345678'], // 12x is not a mobile prefix
    ['0755-833456'], // subscriber number too short
    ['0755-833456789'], // too long
    ['0123-4567890'], // 01x area codes other than 010 do not exist
    ['440301199001011234'], // ID card number
    ['44030119900101123X'],
    ['COBZS001-2026-00017'], // case number
    ['2026-11-23'],
    ['+852 9123 4567'], // Hong Kong: not ours to guess
    ['+1 415 555 0100'],
    ['13812345678 / 13912345678'], // two numbers in one field: no guess
  ])('rejects %j', (raw) => {
    expect(normalisePhone(raw)).toBeNull();
  });
});

describe('parsePhoneDigits', () => {
  it('reads 86 without + only when a national number follows', () => {
    expect(parsePhoneDigits('8613812345678')?.digits).toBe('13812345678');
    expect(parsePhoneDigits('86123456')).toBeNull();
    expect(parsePhoneDigits('8675583345678')?.digits).toBe('075583345678');
    expect(parsePhoneDigits('86755833456', true)).toBeNull(); // +86 755 833456: subscriber number too short
    expect(parsePhoneDigits('75583345678')).toBeNull(); // area code without its 0 only after +86
    expect(parsePhoneDigits('13812345678', true)).toBeNull(); // '+138…' is no country code we know
  });
});

describe('findPhones', () => {
  it('finds every number in a real hotline note, in order, and nothing from ids, dates or case numbers', () => {
    const note =
      '业主张先生 138-1234-5678，座机(0755)83345678转123，身份证440301199001011234，' +
      '关联工单COBZS001-2026-00017，2026-11-23 14:30 再次来电，留了家人号码 +86 139 1234 5678。';
    expect(findPhones(note)).toEqual([
      { kind: 'mobile', digits: '13812345678', display: '138 1234 5678' },
      { kind: 'landline', digits: '075583345678', display: '0755-83345678' },
      { kind: 'mobile', digits: '13912345678', display: '139 1234 5678' },
    ]);
  });

  it('de-duplicates by digits, whatever the spelling', () => {
    expect(
      digitsOf('13812345678，再打 138-1234-5678 或 +86 138 1234 5678，或 (0755)83345678 / 0755-8334-5678'),
    ).toEqual(['13812345678', '075583345678']);
  });

  it.each([
    ['电话13812345678/13912345678、021-62345678', ['13812345678', '13912345678', '02162345678']],
    ['13812345678 13912345678', ['13812345678', '13912345678']],
    ['138 1234 5678 0755 8334 5678', ['13812345678', '075583345678']],
    ['联系方式：１３８１２３４５６７８（微信同号）', ['13812345678']],
    ['2026-11-23 13812345678', ['13812345678']],
    ['房号3-2-1502 13812345678', ['13812345678']],
    ['3栋2单元1502，电话0755—83345678', ['075583345678']],
    ['Call me at +86 (138) 1234-5678 or (0755) 8334-5678 ext 12.', ['13812345678', '075583345678']],
    ['客服热线 400-820-8820，我的手机 15012345678', ['4008208820', '15012345678']],
    ['打了 86 13812345678 没人接', ['13812345678']],
    ['我的號碼是13812345678', ['13812345678']],
  ])('%j', (text, expected) => {
    expect(digitsOf(text)).toEqual(expected);
  });

  it.each([
    ['身份证号440301199001011234'],
    ['身份证 44030119900101123X'],
    ['身份证 440301 19900101 1234'],
    ['工单号 COBZS001-2026-00017 / KF-2026-00003'],
    ['WXWT13812345678'], // glued to a code
    ['订单号 20261123138123456789'],
    ['银行卡 6222 0213 8123 4567 890'],
    ['2026-11-23 15:02，2026年11月23日'],
    ['金额13800元，面积120平米，房号1502'],
    ['QQ 123456789'],
    ['3-2-1502'],
    ['账号138123456789'], // a mobile inside a longer digit run
    ['1381234567890123'],
  ])('finds nothing in %j', (text) => {
    expect(findPhones(text)).toEqual([]);
  });
});

// The notifier once took any 1 + 10 digits as a mobile (and sent SMS to it, +86 prefixed) while
// intake took only 13x–19x; one rule now decides for both.
describe('SMS numbers', () => {
  it.each([
    ['13812345678', true],
    ['19912345678', true],
    ['+85291234567', true],
    ['+8613812345678', true],
    ['12345678901', false], // 1 + 10 digits but no mainland mobile: the notifier used to send to it
    ['11012345678', false],
    ['075583345678', false],
    ['4008208820', false],
    ['138 1234 5678', false], // stored numbers are digits only
    ['+86', false],
    ['', false],
    [null, false],
  ])('%j is an SMS number: %j', (p, ok) => {
    expect(isSmsNumber(p)).toBe(ok);
  });

  it('agrees with normalisePhone on what a mainland mobile is', () => {
    for (const raw of ['13812345678', '12345678901', '11012345678', '075583345678', '01381234567']) {
      expect(isMainlandMobile(raw)).toBe(normalisePhone(raw)?.kind === 'mobile' && normalisePhone(raw)?.digits === raw);
    }
  });

  it('writes a mainland mobile as E.164 and leaves anything else as it is', () => {
    expect(smsE164('13812345678')).toBe('+8613812345678');
    expect(smsE164('+85291234567')).toBe('+85291234567');
    expect(smsE164('12345678901')).toBe('12345678901');
  });
});
