import React, { ChangeEvent, useEffect, useMemo } from 'react';
import { CoreApp, InternalTimeZones, QueryEditorProps, TimeRange } from '@grafana/data';
import { EditorField, EditorFieldGroup, EditorRow, EditorRows } from '@grafana/plugin-ui';
import { Alert, Combobox, ComboboxOption, Input, LoadingPlaceholder, TimeZonePicker } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { migrateQuery } from '../migrations';
import {
  Catalog,
  CatalogDimension,
  CatalogMetric,
  ChatbotDataSourceOptions,
  ChatbotQuery,
  INTERVALS,
  IntervalName,
  QueryKind,
} from '../types';
import { COMPARABLE_KINDS, CompareField, withoutCompare } from './CompareField';
import { isVariable, useCatalog, useTemplateVariableOptions } from './editorUtils';
import { FiltersEditor } from './FiltersEditor';

export { errorMessage } from './editorUtils';

type Props = QueryEditorProps<DataSource, ChatbotQuery, ChatbotDataSourceOptions>;

const INTERVAL_LABELS: Record<IntervalName, string> = {
  auto: 'Auto',
  minute: 'Minute',
  hour: 'Hour',
  day: 'Day',
  week: 'Week',
  month: 'Month',
};

const KIND_OPTIONS: Array<ComboboxOption<QueryKind>> = [
  { label: 'Time series', value: 'timeseries', description: 'A value per calendar bucket' },
  { label: 'Totals', value: 'totals', description: 'One value over the whole time range' },
  { label: 'Ranking', value: 'ranking', description: 'Totals per group, largest first' },
  { label: 'Snapshot', value: 'snapshot', description: 'The live state at the end of the time range' },
  { label: 'Records', value: 'records', description: 'A table of rows, newest first' },
];

/** What alert rules make of each kind: records are tables, which alerting cannot evaluate. */
const ALERTING_KIND_DESCRIPTIONS: Record<QueryKind, string> = {
  timeseries: 'A value per bucket: reduce it (last, mean) in the rule',
  totals: 'One value per group over the range: one alert instance per group',
  ranking: 'The largest groups over the range: one alert instance per group',
  snapshot: 'The live state now: one alert instance per group',
  records: 'A table of rows: not alertable, alert rules need numbers',
  annotations: 'Events for dashboard annotations: not alertable',
};

/** Kinds an alert rule evaluates, best first: used when a metric is chosen in the rule editor. */
const ALERTING_KINDS: QueryKind[] = ['totals', 'snapshot', 'timeseries', 'ranking'];

/** The transcript: a conversation's messages, the only metric that takes a conversationId. */
const TRANSCRIPT = 'transcript';
/** The only metric that takes targetSeconds. */
const SERVICE_LEVEL = 'service_level';

/** Value of the group-by option that means "no grouping, a single series". */
const NO_GROUP_BY = '';

export function QueryEditor(props: Props) {
  const { datasource, onChange, onRunQuery, app, range } = props;
  const query = useMemo(() => migrateQuery(props.query), [props.query]);
  const catalogState = useCatalog(datasource);

  // Store the upgraded query model once, without running it.
  useEffect(() => {
    if (query !== props.query) {
      onChange(query);
    }
  }, [query, props.query, onChange]);

  if (catalogState.status === 'loading') {
    return <LoadingPlaceholder text="Loading metrics catalog..." />;
  }
  if (catalogState.status === 'error') {
    return (
      <Alert severity="error" title="Could not load the metrics catalog">
        {catalogState.message}
      </Alert>
    );
  }

  return (
    <QueryEditorForm
      query={query}
      catalog={catalogState.catalog}
      datasource={datasource}
      app={app}
      range={range}
      onChange={onChange}
      onRunQuery={onRunQuery}
    />
  );
}

interface FormProps {
  query: ChatbotQuery;
  catalog: Catalog;
  datasource: DataSource;
  app?: CoreApp;
  range?: TimeRange;
  onChange: (query: ChatbotQuery) => void;
  onRunQuery: () => void;
}

function QueryEditorForm({ query, catalog, datasource, app, range, onChange, onRunQuery }: FormProps) {
  const variables = useTemplateVariableOptions();
  const alerting = app === CoreApp.UnifiedAlerting;
  const metricId = query.metric ?? '';
  const metric = catalog.metrics.find((m) => m.id === metricId);
  const metricIsVariable = isVariable(metricId);
  const unknownMetric = metricId !== '' && !metric && !metricIsVariable;
  const kind = query.queryType ?? 'timeseries';

  // The dimensions the metric can be filtered by; a variable metric may be any of them.
  const dimensions: CatalogDimension[] = useMemo(() => {
    if (metricIsVariable) {
      return catalog.dimensions;
    }
    const byId = new Map(catalog.dimensions.map((d) => [d.id, d]));
    return (metric?.dimensions ?? []).map((id) => byId.get(id) ?? { id, title: id });
  }, [catalog.dimensions, metric, metricIsVariable]);
  // A filter-only dimension (a text search) keeps rows but never groups them.
  const groupDimensions = dimensions.filter((d) => !d.filterOnly);

  const metricOptions = useMemo(() => {
    const options = metricOptionsBySection(catalog.metrics, alerting);
    // A saved metric the catalog lacks stays visible as what it is, so it can be replaced.
    return unknownMetric
      ? [{ label: metricId, value: metricId, description: 'Not in the catalog' }, ...options]
      : options;
  }, [catalog.metrics, alerting, unknownMetric, metricId]);

  const groupByOptions: Array<ComboboxOption<string>> = [
    { label: 'None', value: NO_GROUP_BY, description: kind === 'timeseries' ? 'A single series' : 'A single row' },
    ...groupDimensions.map((d) => ({ label: d.title, value: d.id })),
    ...variables,
  ];
  const kindOptions = KIND_OPTIONS.filter((o) => !metric || metric.kinds.includes(o.value)).map((o) =>
    alerting ? { ...o, description: ALERTING_KIND_DESCRIPTIONS[o.value] } : o
  );
  const intervalOptions: Array<ComboboxOption<IntervalName>> = (
    catalog.intervals?.length ? catalog.intervals : INTERVALS
  ).map((interval) => ({ label: INTERVAL_LABELS[interval] ?? interval, value: interval }));

  const isTranscript = metricId === TRANSCRIPT;
  const showGroupBy = kind !== 'records' && (groupDimensions.length > 0 || Boolean(query.groupBy));
  const showFilters = !isTranscript && (dimensions.length > 0 || (query.filters?.length ?? 0) > 0);

  const change = (next: ChatbotQuery, run: boolean) => {
    onChange(next);
    if (run) {
      onRunQuery();
    }
  };

  const onMetricChange = (option: ComboboxOption<string>) => {
    const next = catalog.metrics.find((m) => m.id === option.value);
    let { groupBy, filters, queryType } = query;
    if (next) {
      // A metric that cannot answer the current kind switches to one it can (in an alert
      // rule, one alerting evaluates).
      if (!next.kinds.includes(queryType ?? 'timeseries')) {
        queryType = (alerting && ALERTING_KINDS.find((k) => next.kinds.includes(k))) || next.kinds[0];
      }
      // Keep only what the new metric can be grouped or filtered by.
      groupBy = groupBy && (next.dimensions.includes(groupBy) || isVariable(groupBy)) ? groupBy : NO_GROUP_BY;
      filters = (filters ?? []).filter(
        (f) => !f.dimension || next.dimensions.includes(f.dimension) || isVariable(f.dimension)
      );
    }
    // The service level target and the conversation mean nothing to other metrics, and the
    // backend checks them.
    const targetSeconds = option.value === SERVICE_LEVEL ? query.targetSeconds : undefined;
    const conversationId = option.value === TRANSCRIPT ? query.conversationId : undefined;
    change(
      { ...withKind(query, queryType), metric: option.value, groupBy, filters, targetSeconds, conversationId },
      true
    );
  };

  const limit = limitField(kind, isTranscript);

  return (
    <EditorRows>
      {alerting && kind === 'records' && (
        <Alert severity="warning" title="Records are not alertable">
          An alert rule needs numbers: choose Totals, Snapshot or Time series, or a metric that has them.
        </Alert>
      )}
      <EditorRow>
        <EditorFieldGroup>
          <EditorField
            label="Metric"
            width={40}
            tooltip={metric?.description ?? 'What to count or list; the query help shows an example of each'}
            htmlFor="chatbot-query-metric"
            invalid={unknownMetric}
            error={unknownMetric ? `"${metricId}" is not a metric of the catalog: choose one from the list` : undefined}
          >
            <Combobox<string>
              id="chatbot-query-metric"
              options={[...metricOptions, ...variables]}
              value={metricId || null}
              onChange={onMetricChange}
              placeholder="Choose a metric"
              invalid={unknownMetric}
            />
          </EditorField>
          <EditorField label="Kind" width={16} tooltip={kindTooltip(alerting)} htmlFor="chatbot-query-kind">
            <Combobox<QueryKind>
              id="chatbot-query-kind"
              options={kindOptions}
              value={kind}
              onChange={(option) => change(withKind(query, option.value), true)}
            />
          </EditorField>
          {showGroupBy && (
            <EditorField
              label="Group by"
              width={24}
              tooltip={groupByTooltip(kind, alerting)}
              htmlFor="chatbot-query-group-by"
            >
              <Combobox<string>
                id="chatbot-query-group-by"
                options={groupByOptions}
                value={query.groupBy ?? NO_GROUP_BY}
                onChange={(option) => change({ ...query, groupBy: option.value }, true)}
              />
            </EditorField>
          )}
          {kind === 'timeseries' && (
            <EditorField
              label="Interval"
              width={16}
              tooltip="The calendar bucket of each point; Auto fits the time range and the panel's width, in buckets of 15 minutes or more over ranges longer than two hours (Minute for finer ones)"
              htmlFor="chatbot-query-interval"
            >
              <Combobox<IntervalName>
                id="chatbot-query-interval"
                options={intervalOptions}
                value={query.interval ?? 'auto'}
                onChange={(option) => change({ ...query, interval: option.value }, true)}
              />
            </EditorField>
          )}
          {isTranscript && (
            <EditorField
              label="Conversation id"
              width={16}
              tooltip="The conversation whose messages to list: the id column of the Dialogs records, or a variable"
              htmlFor="chatbot-query-conversation"
            >
              <Input
                id="chatbot-query-conversation"
                value={query.conversationId ?? ''}
                placeholder="id from the dialogs table, or $variable"
                onChange={(e: ChangeEvent<HTMLInputElement>) =>
                  onChange({ ...query, conversationId: conversationIdFrom(e.currentTarget.value) })
                }
                onBlur={() => onRunQuery()}
              />
            </EditorField>
          )}
          {metricId === SERVICE_LEVEL && (
            <EditorField
              label="Target (s)"
              width={12}
              tooltip="A first agent reply within this many seconds counts as answered in time (default 60)"
              htmlFor="chatbot-query-target"
            >
              <Input
                id="chatbot-query-target"
                type="number"
                min={1}
                value={query.targetSeconds ?? 60}
                onChange={(e: ChangeEvent<HTMLInputElement>) =>
                  onChange({ ...query, targetSeconds: Number(e.currentTarget.value) || undefined })
                }
                onBlur={() => onRunQuery()}
              />
            </EditorField>
          )}
          {limit && (
            <EditorField label="Limit" width={10} tooltip={limit.tooltip} htmlFor="chatbot-query-limit">
              <Input
                id="chatbot-query-limit"
                type="number"
                min={1}
                max={limit.max}
                value={query.limit ?? limit.defaultValue}
                onChange={(e: ChangeEvent<HTMLInputElement>) =>
                  onChange({ ...query, limit: Number(e.currentTarget.value) || undefined })
                }
                onBlur={() => onRunQuery()}
              />
            </EditorField>
          )}
          {COMPARABLE_KINDS.includes(kind) && <CompareField query={query} variables={variables} onChange={change} />}
          {kind === 'timeseries' && (
            <EditorField
              label="Time zone"
              optional
              width={32}
              tooltip="The calendar of the buckets: days and months start at midnight in this zone. Default: the dashboard's time zone"
              htmlFor="chatbot-query-timezone"
            >
              <TimeZonePicker
                inputId="chatbot-query-timezone"
                width={32}
                value={query.timezone ?? InternalTimeZones.default}
                includeInternal={[InternalTimeZones.default, InternalTimeZones.localBrowserTime, InternalTimeZones.utc]}
                onChange={(timezone) => change({ ...query, timezone: timezone || undefined }, true)}
              />
            </EditorField>
          )}
        </EditorFieldGroup>
      </EditorRow>
      {showFilters && (
        <EditorRow>
          <FiltersEditor
            datasource={datasource}
            filters={query.filters ?? []}
            dimensions={dimensions}
            variables={variables}
            range={range}
            tooltip={
              kind === 'records'
                ? 'Lists only the records whose dimension has one of the values; several filters all apply'
                : 'Counts only what has one of the values; several filters all apply'
            }
            onChange={(filters, run) => change({ ...query, filters }, run)}
          />
        </EditorRow>
      )}
    </EditorRows>
  );
}

export function kindTooltip(alerting: boolean): string {
  return alerting
    ? 'What the query answers. Alert rules evaluate numbers: totals, snapshots, rankings, and time series reduced in the rule; records are not alertable'
    : 'What the query answers: a series over time, totals over the range, a ranking, the live state, or a table of records';
}

export function groupByTooltip(kind: QueryKind, alerting: boolean): string {
  if (alerting) {
    return 'Each value becomes an alert instance of its own, labelled with the value';
  }
  switch (kind) {
    case 'ranking':
      return 'The dimension whose values are ranked, largest first; a ranking needs one';
    case 'timeseries':
      return 'One series per value of this dimension; None for a single series';
    default:
      return 'One row per value of this dimension; None for a single row';
  }
}

/** What the limit means for the kind; undefined for the kinds that take no limit. */
export function limitField(
  kind: QueryKind,
  transcript: boolean
): { tooltip: string; max: number; defaultValue: number } | undefined {
  if (kind === 'ranking') {
    return {
      tooltip: 'How many rows the ranking keeps, largest first: 1 to 1000 (default 10)',
      max: 1000,
      defaultValue: 10,
    };
  }
  if (kind === 'records' && transcript) {
    return {
      tooltip: 'How many messages of the conversation to list: 1 to 10000 (default 1000)',
      max: 10000,
      defaultValue: 1000,
    };
  }
  if (kind === 'records') {
    return {
      tooltip: 'How many records the table lists, newest first: 1 to 10000 (default 1000)',
      max: 10000,
      defaultValue: 1000,
    };
  }
  return undefined;
}

/**
 * Metric options, grouped by catalog section in the order the catalog lists them. In an alert
 * rule, metrics that only answer records say they are not alertable.
 */
export function metricOptionsBySection(metrics: CatalogMetric[], alerting = false): Array<ComboboxOption<string>> {
  return metrics.map((m) => ({
    label: m.title,
    value: m.id,
    description:
      alerting && m.kinds.every((k) => k === 'records')
        ? `Not alertable (records only). ${m.description}`
        : m.description,
    group: sectionTitle(m.section),
  }));
}

function sectionTitle(section: string): string {
  const s = (section || 'other').replace(/[_-]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * The query as another kind. Its limit goes when the kind changes: how many rows it means, its
 * default and its range depend on the kind (a records limit of 5000 is out of range for a ranking).
 */
function withKind(query: ChatbotQuery, kind: QueryKind | undefined): ChatbotQuery {
  if ((kind ?? 'timeseries') === (query.queryType ?? 'timeseries')) {
    return { ...query, queryType: kind };
  }
  // Records are never compared with a previous period: the backend refuses it.
  const next = COMPARABLE_KINDS.includes(kind ?? 'timeseries') ? query : withoutCompare(query);
  return { ...next, queryType: kind, limit: undefined };
}

/** A typed conversation id: a number, or a template variable's name kept as text. */
export function conversationIdFrom(text: string): number | string | undefined {
  const value = text.trim();
  if (/^\d+$/.test(value)) {
    return Number(value);
  }
  return isVariable(value) ? value : undefined;
}
