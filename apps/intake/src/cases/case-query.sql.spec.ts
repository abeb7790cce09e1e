import { listCasesSchema } from './case.dto';
import { listCasesFilter, OVERDUE } from './case-query.sql';

const query = (raw: Record<string, string>) => listCasesSchema.parse(raw);

describe('listCasesFilter', () => {
  it('is empty without filters', () => {
    expect(listCasesFilter(query({}))).toEqual({ filter: '', params: [] });
  });

  it('numbers the parameters in order and joins the conditions with AND', () => {
    const projectId = '6f0d2c1e-6b1a-4c3e-9a55-0d7f7a1b2c3d';
    const { filter, params } = listCasesFilter(query({ status: 'new,accepted', projectId, overdue: 'false' }));
    expect(filter).toBe(`WHERE c.status = ANY($1::text[]) AND c.project_id = $2 AND NOT ${OVERDUE}`);
    expect(params).toEqual([['new', 'accepted'], projectId]);
  });

  it('searches number, description and reporter with LIKE wildcards in the text escaped', () => {
    const { filter, params } = listCasesFilter(query({ q: '50%_off\\' }));
    expect(filter).toBe('WHERE (c.number ILIKE $1 OR c.description ILIKE $1 OR c.reporter_name ILIKE $1)');
    expect(params).toEqual(['%50\\%\\_off\\\\%']);
  });
});
