import {
  ChatbotQuery,
  ChatbotVariableQuery,
  DEFAULT_QUERY,
  DimensionFilter,
  QUERY_MODEL_VERSION,
  ValuesOrder,
} from './types';

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

/** refId of a variable query saved in the older text form. */
export const VARIABLE_REF_ID = 'ChatbotVariableQuery';

/**
 * Reads a template variable's query in any form it was saved in: the object form, the older text
 * form (a dimension id, with the values resource's parameters after a `?`: `task?order=recent`,
 * `team?metric=missed_conversations`), or the text form wrapped as `{query: "..."}`. Parameters
 * other than `order` and `metric` are dropped: the time range comes from the dashboard.
 */
export function migrateVariableQuery(query: unknown): ChatbotVariableQuery {
  if (typeof query === 'string') {
    return fromText(query);
  }
  if (!query || typeof query !== 'object') {
    return { refId: VARIABLE_REF_ID, dimension: '' };
  }
  const q = query as Partial<ChatbotVariableQuery> & { query?: unknown };
  if (typeof q.dimension !== 'string' && typeof q.query === 'string') {
    const { query: _text, ...rest } = q;
    return { ...rest, ...fromText(q.query), refId: q.refId || VARIABLE_REF_ID };
  }
  if (typeof q.dimension === 'string' && typeof q.refId === 'string') {
    return q as ChatbotVariableQuery;
  }
  return { ...q, refId: q.refId || VARIABLE_REF_ID, dimension: typeof q.dimension === 'string' ? q.dimension : '' };
}

function fromText(text: string): ChatbotVariableQuery {
  const trimmed = text.trim();
  const at = trimmed.indexOf('?');
  const dimension = (at < 0 ? trimmed : trimmed.slice(0, at)).trim();
  const params = new URLSearchParams(at < 0 ? '' : trimmed.slice(at + 1));
  const order = params.get('order');
  const query: ChatbotVariableQuery = { refId: VARIABLE_REF_ID, dimension };
  if (order === 'recent' || order === 'name') {
    query.order = order as ValuesOrder;
  }
  const metric = params.get('metric')?.trim();
  if (metric) {
    query.metric = metric;
  }
  return query;
}
