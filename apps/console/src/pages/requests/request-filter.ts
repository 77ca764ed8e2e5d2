import type { RequestFilter } from '../../api/admin-api';

/** The filters `GET /admin/requests` and its export take; the console keeps them in its own query string. */
export const FILTER_FIELDS = [
  'since',
  'until',
  'team_id',
  'project_id',
  'key_id',
  'owner',
  'model',
  'api',
  'status',
  'fallback',
  'error_code',
  'request_id',
] as const;

export function filterFromQuery(query: URLSearchParams): RequestFilter {
  const filter: RequestFilter = {};
  for (const field of FILTER_FIELDS) {
    const value = query.get(field);
    if (value) filter[field] = value;
  }
  return filter;
}

export function queryFromFilter(filter: RequestFilter): string {
  const params = new URLSearchParams();
  for (const field of FILTER_FIELDS) {
    const value = filter[field];
    if (value) params.set(field, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
