import { ChatbotQuery, DEFAULT_QUERY, DimensionFilter, QUERY_MODEL_VERSION } from './types';

/**
 * Upgrades a stored query to the current query model version.
 * A query without a version is treated as version 0 and gets the defaults of version 1;
 * a query already at the current version is returned unchanged (same object).
 */
export function migrateQuery<T extends ChatbotQuery>(query: T): T {
  if ((query.version ?? 0) >= QUERY_MODEL_VERSION) {
    return query;
  }

  return {
    ...query,
    version: QUERY_MODEL_VERSION,
    queryType: query.queryType ?? DEFAULT_QUERY.queryType,
    interval: query.interval ?? DEFAULT_QUERY.interval,
    filters: normalizeFilters(query.filters),
  };
}

function normalizeFilters(filters: unknown): DimensionFilter[] {
  if (!Array.isArray(filters)) {
    return [];
  }
  return filters
    .filter((f): f is Partial<DimensionFilter> => typeof f === 'object' && f !== null)
    .map((f) => ({
      dimension: typeof f.dimension === 'string' ? f.dimension : '',
      values: Array.isArray(f.values) ? f.values.filter((v): v is string => typeof v === 'string') : [],
    }));
}
