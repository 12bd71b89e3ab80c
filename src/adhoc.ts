import {
  AdHocVariableFilter,
  DataSourceGetTagKeysOptions,
  DataSourceGetTagValuesOptions,
  MetricFindValue,
} from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';

import type { DataSource } from './datasource';
import { ChatbotAdHocFilter, ChatbotQuery } from './types';

/**
 * The dashboard's ad hoc filters as the query carries them to the backend, which applies each one
 * the query's metric can and reports the others as notices (pkg/catalog/adhoc.go). Grafana hands
 * the values over as picked, so they are not interpolated; its own fields (origin, labels, ...)
 * are left out. Undefined when there are none, so a query without filters is sent as stored.
 */
export function toAdHocFilters(filters: AdHocVariableFilter[] | undefined): ChatbotAdHocFilter[] | undefined {
  if (!filters || filters.length === 0) {
    return undefined;
  }
  return filters.map(({ key, operator, value, values }) =>
    values ? { key, operator, value, values } : { key, operator, value }
  );
}

/**
 * The keys an ad hoc filter offers: the dimensions with values to pick (titles as text, ids as
 * value), those the dashboard's metrics can filter by when Grafana passes its queries.
 */
export async function getTagKeys(
  datasource: DataSource,
  options?: DataSourceGetTagKeysOptions<ChatbotQuery>
): Promise<MetricFindValue[]> {
  const metrics = new Set<string>();
  for (const query of options?.queries ?? []) {
    const metric = getTemplateSrv()
      .replace(query.metric ?? '')
      .trim();
    if (metric) {
      metrics.add(metric);
    }
  }
  // Repeated as metric=a&metric=b; the backend offers the dimensions any of them can filter by.
  const params = metrics.size > 0 ? { metric: Array.from(metrics) } : undefined;
  const response = await datasource.getResource<{ keys: MetricFindValue[] }>('tag-keys', params);
  return response.keys;
}

/** The values an ad hoc filter offers for its key: the values resource over the dashboard's time range. */
export async function getTagValues(
  datasource: DataSource,
  options: DataSourceGetTagValuesOptions<ChatbotQuery>
): Promise<MetricFindValue[]> {
  const values = await datasource.getDimensionValues(options.key, { range: options.timeRange });
  return values.map((value) => ({ text: value }));
}
