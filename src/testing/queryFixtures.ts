import { DataQuery } from '@grafana/schema';

import { INTERVALS, ChatbotQuery, QueryKind } from '../types';
import fixtures from './queries.json';

/**
 * The stored queries of queries.json, which the backend runs in pkg/plugin/query_fixtures_test.go.
 * The types below make `tsc --noEmit` fail when a fixture has a field ChatbotQuery lacks, a field
 * of the wrong type, or when ChatbotQuery has a field no fixture sends (so the backend never
 * proves it reads it).
 */
type FixtureQuery = (typeof fixtures.cases)[number]['query'];

/** Every key of every member of a union (keyof a union only gives the common ones). */
type KeysOf<T> = T extends unknown ? keyof T : never;

/** ChatbotQuery as JSON types it: string unions such as QueryKind widen to string. */
type AsJson<T> = { [K in keyof T]: T[K] extends string | undefined ? string : T[K] };

/** Fields of a fixture that ChatbotQuery does not have. */
type UnknownFields = Exclude<KeysOf<FixtureQuery>, keyof ChatbotQuery>;
/** Fields of DataQuery that Grafana itself reads (datasource, hide, ...), not the backend. */
type GrafanaFields = Exclude<keyof DataQuery, 'refId' | 'queryType'>;
/** Fields of ChatbotQuery that no fixture sends. */
type UnsentFields = Exclude<keyof ChatbotQuery, KeysOf<FixtureQuery> | GrafanaFields>;

// A compile error here names the offending field.
export const NO_UNKNOWN_FIELDS: [UnknownFields] extends [never] ? true : UnknownFields = true;
export const NO_UNSENT_FIELDS: [UnsentFields] extends [never] ? true : UnsentFields = true;

const storedQueries: Array<AsJson<ChatbotQuery>> = fixtures.cases.map((c) => c.query);

// A record, so that a new QueryKind must be added here.
const KINDS: Record<QueryKind, true> = {
  timeseries: true,
  totals: true,
  ranking: true,
  snapshot: true,
  records: true,
  annotations: true,
};

export interface QueryFixture {
  name: string;
  query: ChatbotQuery;
  /** 200: the backend answers it; 400: the backend rejects it with `error` in its message. */
  status: number;
  error?: string;
}

/** The fixtures, with queryType and interval checked against their unions at run time. */
export const QUERY_FIXTURES: QueryFixture[] = fixtures.cases.map((c, i) => {
  const query = storedQueries[i];
  if (query.queryType !== undefined && !Object.hasOwn(KINDS, query.queryType)) {
    throw new Error(`${c.name}: queryType ${query.queryType} is not a QueryKind`);
  }
  if (query.interval !== undefined && !INTERVALS.some((interval) => interval === query.interval)) {
    throw new Error(`${c.name}: interval ${query.interval} is not an IntervalName`);
  }
  const expect: { status: number; error?: string } = c.expect;
  return { name: c.name, query: query as ChatbotQuery, status: expect.status, error: expect.error };
});
