import {
  AdHocVariableFilter,
  CoreApp,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceGetTagKeysOptions,
  DataSourceGetTagValuesOptions,
  DataSourceInstanceSettings,
  LegacyMetricFindQueryOptions,
  MetricFindValue,
  ScopedVars,
  TimeRange,
} from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';
import { Observable } from 'rxjs';

import { annotationSupport } from './annotations';
import { getTagKeys, getTagValues, toAdHocFilters } from './adhoc';
import { migrateQuery, migrateVariableQuery } from './migrations';
import {
  Catalog,
  ChatbotDataSourceOptions,
  ChatbotQuery,
  ChatbotVariableQuery,
  DEFAULT_QUERY,
  DimensionFilter,
  ValuesOrder,
} from './types';
import { ChatbotVariableSupport } from './variables';

export class DataSource extends DataSourceWithBackend<ChatbotQuery, ChatbotDataSourceOptions> {
  private catalog?: Promise<Catalog>;

  constructor(instanceSettings: DataSourceInstanceSettings<ChatbotDataSourceOptions>) {
    super(instanceSettings);
    this.variables = new ChatbotVariableSupport(this);
    this.annotations = annotationSupport;
  }

  getDefaultQuery(_: CoreApp): Partial<ChatbotQuery> {
    return DEFAULT_QUERY;
  }

  /**
   * Skips hidden queries, queries that have no metric (annotation queries: no event) yet, and transcripts without a
   * conversation (a "$conversation" variable still empty, as on a dashboard before a session
   * is chosen): the panel shows "No data" rather than the backend's error.
   */
  filterQuery(query: ChatbotQuery): boolean {
    if (query.queryType === 'annotations') {
      return !query.hide && Boolean(query.event); // events, not a metric
    }
    if (query.hide || !query.metric) {
      return false;
    }
    if (query.metric === 'transcript') {
      const id = query.conversationId;
      return typeof id === 'string' ? getTemplateSrv().replace(id).trim() !== '' : Boolean(id);
    }
    return true;
  }

  /** Also carries the dashboard's ad hoc filters (Grafana passes them as `filters`) to the backend. */
  applyTemplateVariables(query: ChatbotQuery, scopedVars: ScopedVars, filters?: AdHocVariableFilter[]): ChatbotQuery {
    const migrated = migrateQuery(query);
    const templateSrv = getTemplateSrv();
    const interpolate = (value: string | undefined) =>
      value === undefined ? undefined : templateSrv.replace(value, scopedVars);

    return {
      ...migrated,
      metric: interpolate(migrated.metric),
      groupBy: interpolate(migrated.groupBy),
      interval: interpolate(migrated.interval) as ChatbotQuery['interval'],
      timezone: interpolate(migrated.timezone),
      compare: interpolate(migrated.compare),
      filters: interpolateFilters(migrated.filters ?? [], scopedVars),
      // A transcript panel may take its conversation from a variable ("$conversation").
      conversationId:
        typeof migrated.conversationId === 'string' ? interpolate(migrated.conversationId) : migrated.conversationId,
      adhocFilters: toAdHocFilters(filters) ?? migrated.adhocFilters,
    };
  }

  /** Keys of the dashboard's ad hoc filters: dimensions (see src/adhoc.ts). */
  getTagKeys(options?: DataSourceGetTagKeysOptions<ChatbotQuery>): Promise<MetricFindValue[]> {
    return getTagKeys(this, options);
  }

  /** Values of an ad hoc filter's dimension over the dashboard's time range. */
  getTagValues(options: DataSourceGetTagValuesOptions<ChatbotQuery>): Promise<MetricFindValue[]> {
    return getTagValues(this, options);
  }

  query(request: DataQueryRequest<ChatbotQuery>): Observable<DataQueryResponse> {
    const timezone = resolveTimeZone(request.timezone);
    // A query may pick the browser's zone itself; the backend cannot know it.
    const targets = request.targets.map((target) =>
      target.timezone
        ? { ...target, timezone: target.timezone === 'browser' ? resolveTimeZone('browser') : target.timezone }
        : { ...target, timezone }
    );
    return super.query({ ...request, targets });
  }

  /**
   * Template variable values for the older variable API and for callers that still pass text:
   * the query is a dimension id (for example `platform`), with the values resource's parameters
   * after a `?` (`task?order=recent`), or the object form the variable editor writes. See
   * findDimensionValues.
   */
  async metricFindQuery(
    query: string | ChatbotVariableQuery,
    options?: LegacyMetricFindQueryOptions
  ): Promise<MetricFindValue[]> {
    return this.findDimensionValues(migrateVariableQuery(query), options?.range, options?.scopedVars);
  }

  /**
   * A variable's values: the dimension's values in the workspace, narrowed to the dashboard's
   * time range where they are events (intents, languages, closing reasons) unless the query
   * ignores the time range, or to those the query's metric has data for in the range, by name or
   * by latest activity. The dimension and the metric may be variables.
   */
  async findDimensionValues(
    query: ChatbotVariableQuery,
    range?: TimeRange,
    scopedVars?: ScopedVars
  ): Promise<MetricFindValue[]> {
    const dimension = getTemplateSrv()
      .replace(query.dimension ?? '', scopedVars)
      .trim();
    if (!dimension) {
      return [];
    }
    const metric = getTemplateSrv()
      .replace(query.metric ?? '', scopedVars)
      .trim();
    const values = await this.getDimensionValues(dimension, {
      // Narrowed to a metric's data, the values are always those of the range.
      range: query.ignoreTimeRange && !metric ? undefined : range,
      order: query.order,
      metric: metric || undefined,
    });
    return values.map((value) => ({ text: value, value }));
  }

  /**
   * The values resource: a dimension's values, over the time range when one is given (epoch
   * milliseconds), by name unless `order` is `recent`, only those a `metric` has data for when one
   * is given (with a range). A filter-only dimension answers none.
   */
  async getDimensionValues(
    dimension: string,
    options: { range?: TimeRange; order?: ValuesOrder; metric?: string } = {}
  ) {
    const params: Record<string, string> = {};
    if (options.order && options.order !== 'name') {
      params.order = options.order;
    }
    if (options.metric) {
      params.metric = options.metric; // only the values the metric has data for, over the range
    }
    if (options.range) {
      params.from = String(options.range.from.valueOf());
      params.to = String(options.range.to.valueOf());
    }
    const response = await this.getResource<{ values: string[] }>(
      `dimensions/${encodeURIComponent(dimension)}/values`,
      params
    );
    return response.values;
  }

  /** Metrics, dimensions and intervals the backend offers. The first successful response is kept. */
  getCatalog(): Promise<Catalog> {
    if (!this.catalog) {
      this.catalog = this.getResource<Catalog>('catalog').catch((error: unknown) => {
        // Do not keep a failure: the next call asks the backend again.
        this.catalog = undefined;
        throw error;
      });
    }
    return this.catalog;
  }
}

/**
 * Resolves a dashboard/request time zone to an IANA name for the backend:
 * 'browser' becomes the browser's zone, 'utc' or an empty value becomes 'UTC',
 * anything else is taken as an IANA name.
 */
export function resolveTimeZone(timeZone: string | undefined): string {
  const tz = (timeZone ?? '').trim();
  if (tz === '' || tz.toLowerCase() === 'utc') {
    return 'UTC';
  }
  if (tz === 'browser') {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  }
  return tz;
}

/**
 * Interpolates filter dimensions and expands each filter value into one or more values:
 * a multi-value or "All" variable becomes one value per selected option. Duplicates and empty
 * strings are dropped, and so are filters left without a dimension or without values.
 */
function interpolateFilters(filters: DimensionFilter[], scopedVars: ScopedVars): DimensionFilter[] {
  const templateSrv = getTemplateSrv();
  const result: DimensionFilter[] = [];

  for (const filter of filters) {
    const dimension = templateSrv.replace(filter.dimension ?? '', scopedVars).trim();
    const values = new Set<string>();
    for (const value of filter.values ?? []) {
      for (const expanded of expandValue(value, scopedVars)) {
        if (expanded !== '') {
          values.add(expanded);
        }
      }
    }
    if (dimension !== '' && values.size > 0) {
      result.push({ dimension, values: Array.from(values) });
    }
  }
  return result;
}

function expandValue(value: string, scopedVars: ScopedVars): string[] {
  const templateSrv = getTemplateSrv();
  if (!templateSrv.containsTemplate(value)) {
    return [value];
  }

  const replaced = templateSrv.replace(value, scopedVars, 'json');
  try {
    const parsed: unknown = JSON.parse(replaced);
    if (Array.isArray(parsed)) {
      return parsed.map(toText);
    }
    return [toText(parsed)];
  } catch {
    // Text around the variable (e.g. "web-$platform") is not valid JSON: use the default format.
    return [templateSrv.replace(value, scopedVars)];
  }
}

function toText(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'string' ? value : String(value);
}
