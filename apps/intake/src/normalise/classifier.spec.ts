import { caseCategories, caseSeverities, caseTypes } from '@kefu/shared';
import { classificationRules, classify, DEFAULT_TYPE } from './classifier';

describe('classificationRules', () => {
  it('only uses the domain vocabularies, with unique ids and no empty keywords', () => {
    const allowed = {
      type: caseTypes as readonly string[],
      category: caseCategories as readonly string[],
      severity: caseSeverities as readonly string[],
    };
    for (const rule of classificationRules) {
      expect(allowed[rule.field]).toContain(rule.value);
      expect(rule.id.startsWith(`${rule.field}.${rule.value}`)).toBe(true);
      expect(rule.keywords.length).toBeGreaterThan(0);
      for (const k of rule.keywords) expect(k.trim()).toBe(k);
    }
    expect(new Set(classificationRules.map((r) => r.id)).size).toBe(classificationRules.length);
  });

  it('covers every type, every category and major severity', () => {
    const values = (field: string): Set<string> =>
      new Set(classificationRules.filter((r) => r.field === field).map((r) => r.value));
    expect([...values('type')].sort()).toEqual([...caseTypes].sort());
    expect([...values('category')].sort()).toEqual([...caseCategories].sort());
    expect([...values('severity')]).toEqual(['major']);
  });
});

describe('classify: type', () => {
  it.each([
    // repairs
    ['卫生间漏水，请尽快安排师傅来修', 'repair'],
    ['我要报修，厨房下水道堵塞了', 'repair'],
    ['客厅的灯不亮，开关坏了', 'repair'],
    ['主卧墙面有裂缝，阳台瓷砖脱落', 'repair'],
    ['家里老是跳闸', 'repair'],
    ['窗户关不上，麻烦维修一下', 'repair'],
    ['窗戶關不上，麻煩維修一下', 'repair'], // traditional
    // complaints
    ['我要投诉物业，保安态度恶劣', 'complaint'],
    ['物业太差劲了，对你们的服务非常不满', 'complaint'],
    ['卫生间漏水，多次报修一直没人处理，我要投诉', 'complaint'],
    ['漏水几个月了，物业不作为，一直推诿', 'complaint'],
    ['销售当初的承诺都是忽悠人的，欺骗业主', 'complaint'],
    // enquiries
    ['请问办证需要带什么材料？', 'enquiry'],
    ['想了解一下房产证什么时候可以领', 'enquiry'],
    ['咨询一下维修基金怎么交', 'enquiry'], // '维修基金' is not a repair
    ['如何办理车位租赁？', 'enquiry'],
    // suggestions
    ['建议小区增加儿童游乐设施', 'suggestion'],
    ['希望增加几个快递柜', 'suggestion'],
    ['申请在楼下增设电动车充电桩', 'suggestion'],
    // claims
    ['楼上漏水把我家地板泡坏了，要求赔偿损失', 'claim'],
    ['车在地库被砸，向物业索赔', 'claim'],
    ['要求开发商赔付延期交房的违约金', 'claim'],
    ['我要投诉并要求赔偿', 'claim'], // 索赔 needs legal review: claim wins over complaint
  ])('%j → %s', (text, type) => {
    expect(classify(text).type).toBe(type);
  });

  it(`defaults to ${DEFAULT_TYPE} when no type keyword fires, and says so`, () => {
    const c = classify('3栋2单元1502 张先生');
    expect(c).toEqual({ type: 'complaint', category: null, severity: 'minor', rules: ['type.default:complaint'] });
    expect(classify('').type).toBe('complaint');
  });

  it('lets a hint type win while the rules still fire', () => {
    const c = classify('电梯困人，保安半小时才到，我要投诉', { type: 'repair' });
    expect(c.type).toBe('repair');
    expect(c.category).toBe('property_management');
    expect(c.severity).toBe('major');
    expect(c.rules).toEqual(
      expect.arrayContaining([
        'type.complaint:投诉',
        'category.property_management:电梯',
        'category.property_management:保安',
        'severity.major:困人',
        'type.hint:repair',
      ]),
    );
    expect(c.rules).not.toContain('type.default:complaint');
    expect(classify('随便说说', { type: 'enquiry' }).rules).toEqual(['type.hint:enquiry']);
  });

  it('reports fired rules as <field>.<value>:<keyword>, each once', () => {
    expect(classify('漏水漏水，还是漏水').rules).toEqual(['type.repair:漏水', 'category.engineering_quality:漏水']);
  });
});

describe('classify: category', () => {
  it.each([
    ['外墙渗水，墙皮起皮脱落', 'engineering_quality'],
    ['门窗密封不好，下雨天渗漏', 'engineering_quality'],
    ['精装房的地板空鼓', 'engineering_quality'],
    ['户型设计不合理，客厅采光很差', 'planning_design'],
    ['小区绿化面积和规划图不一致，容积率也变了', 'planning_design'],
    ['车位规划太少', 'planning_design'],
    ['置业顾问承诺的赠送面积没有写进合同', 'sales'],
    ['按揭贷款一直办不下来，首付已经交了', 'sales'],
    ['交房时间一拖再拖，虚假宣传', 'sales'],
    ['保安晚上睡觉，保洁不打扫楼道', 'property_management'],
    ['电梯经常坏，停车场乱收费', 'property_management'],
    ['绿化养护太差，垃圾没人清', 'property_management'], // '绿化养护' is upkeep, not planning
    ['物业费为什么涨价', 'property_management'],
    ['楼上装修噪音太大，物业不管', 'property_management'],
    ['客服态度冷淡，回复慢', 'customer_service'],
    ['热线打了十次都没人接', 'customer_service'],
    ['投诉无果，踢皮球', 'customer_service'],
    ['旁边工地的施工单位晚上施工，噪声很大', 'other'],
    ['周边环境污染，粉尘大', 'other'],
  ])('%j → %s', (text, category) => {
    expect(classify(text).category).toBe(category);
  });

  it('is null when no category keyword fires', () => {
    expect(classify('我要投诉').category).toBeNull();
  });

  it('breaks ties in table order and counts each keyword', () => {
    // one engineering keyword vs one property keyword: engineering first in the table
    expect(classify('物业说漏水不归他们管').category).toBe('engineering_quality');
    // two property keywords beat one customer-service keyword
    expect(classify('保安态度恶劣，物业不管').category).toBe('property_management');
    // a longer keyword hides a shorter one inside it
    expect(classify('绿化养护').rules).toEqual(['category.property_management:绿化养护', 'type.default:complaint']);
  });
});

describe('classify: severity', () => {
  it.each([
    // personal injury or danger
    ['楼道灯坏了，我母亲摔伤住院了', 'major'],
    ['插座漏电，孩子差点触电', 'major'],
    ['厨房闻到燃气味，怀疑燃气泄漏', 'major'],
    ['配电房起火了', 'major'],
    ['外墙瓷砖掉落砸到车，差点砸到人，危及人身安全', 'major'],
    ['电梯困人半小时', 'major'],
    ['阳台栏杆松动，有生命危险', 'major'],
    // serious financial loss
    ['水管爆裂，家具全部泡坏，损失惨重', 'major'],
    ['地下室被淹，财产损失严重', 'major'],
    // repeated unfulfilled requests
    ['同一个问题多次反映，一直没人处理', 'major'],
    ['漏水问题已经屡次报修', 'major'],
    ['承诺的整改至今未完成', 'major'],
    ['天花反复渗水', 'major'],
    // neighbour / third-party disturbance
    ['楼上漏水到我家天花', 'major'],
    ['邻居家装修天天扰民', 'major'],
    ['第三方施工队破坏了我家门口的地砖', 'major'],
    // minor
    ['卫生间漏水，请尽快来修', 'minor'],
    ['请问办证需要什么材料', 'minor'],
    ['建议增加快递柜', 'minor'],
    ['门铃不响了', 'minor'],
  ])('%j → %s', (text, severity) => {
    expect(classify(text).severity).toBe(severity);
  });

  it.each([
    ['检查过了，没有漏电'],
    ['幸好没漏电'],
    ['无人受伤，只是灯坏了'],
    ['没有人受伤'],
    ['这次事故未造成人员受伤'],
    ['并未起火'],
    ['不是燃气泄漏，是下水道的味道'],
    ['没有任何人员受伤'],
  ])('ignores a major keyword negated right before it: %j', (text) => {
    const c = classify(text);
    expect(c.severity).toBe('minor');
    expect(c.rules.filter((r) => r.startsWith('severity.'))).toEqual([]);
  });

  it('still fires a major keyword elsewhere in a text with a negated one', () => {
    expect(classify('没有漏电，但是孩子摔伤了').rules).toContain('severity.major:摔伤');
    expect(classify('没有漏电，但是孩子摔伤了').rules).not.toContain('severity.major:漏电');
  });

  it('documents its limit: negation further away is not seen', () => {
    // "漏电的情况没有发现" says there is no leak, but the negation comes after the keyword.
    expect(classify('漏电的情况没有发现').severity).toBe('major');
  });

  it('reports major rules with their keyword', () => {
    expect(classify('插座漏电，孩子差点触电').rules).toEqual(
      expect.arrayContaining(['severity.major:漏电', 'severity.major:触电', 'category.engineering_quality:插座']),
    );
  });

  it('reads full-width and traditional text', () => {
    const c = classify('我要投訴：電梯困人，物業不管！');
    expect(c).toMatchObject({ type: 'complaint', category: 'property_management', severity: 'major' });
  });
});
