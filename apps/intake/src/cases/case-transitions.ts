import type { CaseStatus, CaseType } from '@kefu/shared';

/** Statuses in which a case is still being worked. */
export const openStatuses: readonly CaseStatus[] = [
  'new',
  'accepted',
  'assigned',
  'replied',
  'resolved',
  'return_visited',
];

export type TransitionName =
  | 'accept'
  | 'reject'
  | 'assign'
  | 'reply'
  | 'moveReplyDate'
  | 'escalate'
  | 'coordinate'
  | 'handlingPlan'
  | 'siteSurvey'
  | 'surveyAppointment'
  | 'resolve'
  | 'returnVisit'
  | 'close';

/**
 * Where each transition may start. One table, so the API, the console's buttons and the tests agree.
 * Complaints and repairs close only after the return visit (回访, rate 100 % — 004 篇2 回访 §2);
 * enquiries and suggestions may close once answered.
 */
export function allowedFrom(t: TransitionName, type: CaseType): readonly CaseStatus[] {
  switch (t) {
    case 'accept':
    case 'reject':
      return ['new'];
    case 'assign':
      return ['accepted', 'assigned', 'replied'];
    case 'reply':
      return ['accepted', 'assigned'];
    case 'resolve':
      return ['assigned', 'replied'];
    case 'returnVisit':
      return ['resolved'];
    case 'close':
      return type === 'enquiry' || type === 'suggestion'
        ? ['replied', 'resolved', 'return_visited', 'rejected']
        : ['return_visited', 'rejected'];
    case 'moveReplyDate':
    case 'escalate':
    case 'coordinate':
      return openStatuses.filter((s) => s !== 'return_visited');
    // Records that change no status: the department's plan while it works the case; a repair's survey.
    case 'handlingPlan':
      return ['accepted', 'assigned', 'replied'];
    case 'siteSurvey':
    case 'surveyAppointment':
      return type === 'repair' ? ['accepted', 'assigned', 'replied'] : [];
  }
}

export const statusLabel: Record<CaseStatus, string> = {
  new: '新登记',
  accepted: '已受理',
  assigned: '处理中',
  replied: '已答复',
  resolved: '已处理',
  return_visited: '已回访',
  closed: '已结案',
  rejected: '无效',
};

export const transitionLabel: Record<TransitionName, string> = {
  accept: '受理',
  reject: '判为无效',
  assign: '分派',
  reply: '答复客户',
  moveReplyDate: '变更答复日期',
  escalate: '升级',
  coordinate: '多部门协调（交总经理）',
  handlingPlan: '填写处理方案',
  siteSurvey: '登记现场查勘',
  surveyAppointment: '约定查勘时间',
  resolve: '记录处理结果',
  returnVisit: '回访',
  close: '结案',
};

/** The transitions a case in this status may take (for the detail view's buttons). */
export function availableTransitions(status: CaseStatus, type: CaseType): TransitionName[] {
  return (Object.keys(transitionLabel) as TransitionName[]).filter((t) => allowedFrom(t, type).includes(status));
}
