import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PaginationQueryDto, resolvePage, toPage } from './pagination';

const parse = (query: Record<string, string>) => {
  const dto = plainToInstance(PaginationQueryDto, query);
  return { dto, errors: validateSync(dto).map((e) => e.property) };
};

describe('pagination', () => {
  it('defaults to the first page of 20', () => {
    expect(resolvePage(parse({}).dto)).toEqual({ limit: 20, offset: 0, page: 1, per_page: 20 });
  });

  it('accepts page + per_page from query strings', () => {
    expect(resolvePage(parse({ page: '3', per_page: '10' }).dto)).toEqual({ limit: 10, offset: 20, page: 3, per_page: 10 });
  });

  it('accepts limit + offset, which win over page/per_page', () => {
    expect(resolvePage(parse({ limit: '25', offset: '50', page: '9' }).dto)).toEqual({ limit: 25, offset: 50, page: 3, per_page: 25 });
  });

  it('refuses per_page/limit over 100, page 0, negative offsets and non-numbers', () => {
    expect(parse({ per_page: '101' }).errors).toEqual(['per_page']);
    expect(parse({ limit: '500' }).errors).toEqual(['limit']);
    expect(parse({ page: '0' }).errors).toEqual(['page']);
    expect(parse({ offset: '-1' }).errors).toEqual(['offset']);
    expect(parse({ page: 'two' }).errors).toEqual(['page']);
  });

  it('builds the list envelope with has_next', () => {
    const request = resolvePage(parse({ page: '2', per_page: '2' }).dto);
    expect(toPage(['c', 'd'], 5, request)).toEqual({ items: ['c', 'd'], total: 5, page: 2, per_page: 2, has_next: true });
    expect(toPage(['e'], 5, resolvePage(parse({ page: '3', per_page: '2' }).dto)).has_next).toBe(false);
  });
});
