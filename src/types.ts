import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

/** Version of the query model stored in dashboards; see migrations.ts. */
export const QUERY_MODEL_VERSION = 1;

/**
 * timeseries: a value per calendar bucket; totals: one value over the range; ranking: totals,
 * largest first; snapshot: the live state at the end of the range; records: a table of rows;
 * annotations: events to mark on time series panels (an `event`, no metric).
 */
export type QueryKind = 'timeseries' | 'totals' | 'ranking' | 'snapshot' | 'records' | 'annotations';

export type IntervalName = 'auto' | 'minute' | 'hour' | 'day' | 'week' | 'month';

export interface DimensionFilter {
  dimension: string;
  values: string[];
}

export interface ChatbotQuery extends DataQuery {
  version?: number;
  queryType?: QueryKind;
  metric?: string;
  groupBy?: string; // one dimension id, or empty for a single series
  filters?: DimensionFilter[];
  interval?: IntervalName;
  timezone?: string; // IANA name; empty = the dashboard's
  limit?: number; // ranking and records: how many rows (default 10 and 1000)
  targetSeconds?: number; // service level: the answer target in seconds (default 60)
  conversationId?: number | string; // transcript: the conversation's id, or a variable holding it
  event?: AnnotationEventId; // annotations: what to mark
  threshold?: number; // annotations: the least count that marks an event (default: the event's)
  compare?: string; // "previous", or an offset such as "7d" or "1M"; empty or absent: no comparison
  compareMode?: CompareMode; // what a comparison answers; empty: both periods
  /** The dashboard's ad hoc filters, added by applyTemplateVariables; see src/adhoc.ts. */
  adhocFilters?: ChatbotAdHocFilter[];
}

/** One of the dashboard's ad hoc filters as the backend reads it: a dimension id as key. */
export interface ChatbotAdHocFilter {
  key: string;
  operator: string;
  value: string;
  /** The values of a multi-value operator (=| and !=|). */
  values?: string[];
}

/** What a comparison with a previous period answers: both periods, the change (a fraction) or the difference. */
export type CompareMode = '' | 'change' | 'difference';

/** Options configured for each data source instance (jsonData). */
export interface ChatbotDataSourceOptions extends DataSourceJsonData {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  tlsMode?: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  workspace?: string;
  maxConns?: number;
  statementTimeout?: string; // e.g. "30s"
  requireReadOnlyRole?: boolean; // refuse a user that can change the store
  /** How much data one query may answer, in bytes; the editor shows MiB. */
  maxResponseBytes?: number;
  /**
   * An optional PostgreSQL streaming replica that reads go to, reached with the database, user,
   * password and TLS settings above; replicaPort defaults to port.
   */
  replicaHost?: string;
  replicaPort?: number;
  /** Seconds a pooled connection is kept before it is replaced, as in Grafana's PostgreSQL data source. */
  connMaxLifetime?: number;
}

/** Values only the backend ever sees (secureJsonData). */
export interface ChatbotSecureJsonData {
  password?: string;
  tlsCACert?: string;
  tlsClientCert?: string;
  tlsClientKey?: string;
}

export type TLSMode = NonNullable<ChatbotDataSourceOptions['tlsMode']>;

/** One metric of the catalog served by the backend resource `catalog`. */
export interface CatalogMetric {
  id: string;
  section: string;
  title: string;
  description: string;
  unit: string;
  /** How values aggregate: count, sum, average, ... */
  valueKind: string;
  kinds: QueryKind[];
  /** Empty when the metric cannot be grouped or filtered. */
  dimensions: string[];
}

/** One dimension a metric can be grouped or filtered by. */
export interface CatalogDimension {
  id: string;
  title: string;
  /** Set for a dimension that only filters (a text search): never a group by, no values to list. */
  filterOnly?: boolean;
}

/** Response of GET resources/catalog. */
export interface Catalog {
  metrics: CatalogMetric[];
  dimensions: CatalogDimension[];
  intervals: IntervalName[];
}

export const INTERVALS: IntervalName[] = ['auto', 'minute', 'hour', 'day', 'week', 'month'];

export const TLS_MODES: TLSMode[] = ['disable', 'require', 'verify-ca', 'verify-full'];

export const DEFAULT_QUERY: Partial<ChatbotQuery> = {
  version: QUERY_MODEL_VERSION,
  queryType: 'timeseries',
  interval: 'auto',
  filters: [],
};

/** How a listing of a dimension's values is ordered: by name, or latest activity first. */
export type ValuesOrder = 'name' | 'recent';

/**
 * Dimensions whose values have an activity to order by (their latest event, or for a task its
 * newest conversation); the values resource refuses `order=recent` for the others.
 */
export const RECENT_ORDER_DIMENSIONS = ['intent', 'language', 'closing_reason', 'page', 'phrase', 'task'];

/**
 * Dimensions whose values are events, which a time range narrows; the others (platforms, agents,
 * teams, ...) list every value of the workspace whatever the range.
 */
export const RANGED_DIMENSIONS = ['intent', 'language', 'closing_reason', 'page', 'phrase'];

/**
 * The query of a template variable: a dimension's values. Saved dashboards may still hold the
 * older text form (`platform`, `task?order=recent`), which migrateVariableQuery reads.
 */
export interface ChatbotVariableQuery extends DataQuery {
  dimension: string;
  /** Default name. */
  order?: ValuesOrder;
  /** Set to list the values of all time rather than those of the dashboard's time range. */
  ignoreTimeRange?: boolean;
  /**
   * A metric id (or a variable holding one): only the values for which the metric has data in the
   * dashboard's time range. The range then always applies.
   */
  metric?: string;
}

/** The events an annotation query marks; the backend's list is catalog.AnnotationEvents. */
export type AnnotationEventId = 'missed_bursts' | 'peak_minutes';

/** One annotation event: the metric it is counted with gives the dimensions it can be filtered by. */
export interface AnnotationEventInfo {
  id: AnnotationEventId;
  title: string;
  description: string;
  metric: string;
  defaultThreshold: number;
  thresholdLabel: string;
}

export const ANNOTATION_EVENTS: AnnotationEventInfo[] = [
  {
    id: 'missed_bursts',
    title: 'Missed-conversation bursts',
    description:
      'Runs of 15-minute windows in which a team missed at least the threshold of hand-offs each (5 by default, as the missed-conversations alert)',
    metric: 'missed_conversations',
    defaultThreshold: 5,
    thresholdLabel: 'Missed per 15 min',
  },
  {
    id: 'peak_minutes',
    title: 'Peak minute of each day',
    description:
      "The busiest clock minute of each day of the dashboard's time zone, when it has at least the threshold",
    metric: 'peak_messages_per_minute',
    defaultThreshold: 1,
    thresholdLabel: 'Least messages/min',
  },
];
