import React, { ChangeEvent, useEffect, useMemo, useState } from 'react';
import { QueryEditorProps } from '@grafana/data';
import { EditorField, EditorFieldGroup, EditorRow, EditorRows } from '@grafana/plugin-ui';
import { getTemplateSrv, isFetchError } from '@grafana/runtime';
import {
  Alert,
  Button,
  Combobox,
  ComboboxOption,
  IconButton,
  Input,
  LoadingPlaceholder,
  MultiCombobox,
  Stack,
} from '@grafana/ui';

import { DataSource } from '../datasource';
import { migrateQuery } from '../migrations';
import {
  Catalog,
  CatalogMetric,
  ChatbotDataSourceOptions,
  ChatbotQuery,
  DimensionFilter,
  INTERVALS,
  IntervalName,
  QueryKind,
} from '../types';

type Props = QueryEditorProps<DataSource, ChatbotQuery, ChatbotDataSourceOptions>;

type CatalogState =
  { status: 'loading' } | { status: 'loaded'; catalog: Catalog } | { status: 'error'; message: string };

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

/** Value of the group-by option that means "no grouping, a single series". */
const NO_GROUP_BY = '';
const VARIABLES_GROUP = 'Dashboard variables';

export function QueryEditor(props: Props) {
  const { datasource, onChange, onRunQuery } = props;
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

  return <QueryEditorForm query={query} catalog={catalogState.catalog} onChange={onChange} onRunQuery={onRunQuery} />;
}

interface FormProps {
  query: ChatbotQuery;
  catalog: Catalog;
  onChange: (query: ChatbotQuery) => void;
  onRunQuery: () => void;
}

function QueryEditorForm({ query, catalog, onChange, onRunQuery }: FormProps) {
  const variables = useTemplateVariableOptions();
  const metric = catalog.metrics.find((m) => m.id === query.metric);
  const kind = query.queryType ?? 'timeseries';
  const dimensionTitle = useMemo(() => {
    const titles = new Map(catalog.dimensions.map((d) => [d.id, d.title]));
    return (id: string) => titles.get(id) ?? id;
  }, [catalog.dimensions]);

  const metricOptions = useMemo(() => metricOptionsBySection(catalog.metrics), [catalog.metrics]);
  const dimensionOptions: Array<ComboboxOption<string>> = (metric?.dimensions ?? []).map((id) => ({
    label: dimensionTitle(id),
    value: id,
  }));
  // A filter-only dimension (a text search) keeps rows but never groups them.
  const filterOnly = useMemo(
    () => new Set(catalog.dimensions.filter((d) => d.filterOnly).map((d) => d.id)),
    [catalog.dimensions]
  );
  const groupByOptions: Array<ComboboxOption<string>> = [
    { label: 'None', value: NO_GROUP_BY, description: 'A single series' },
    ...dimensionOptions.filter((option) => !filterOnly.has(option.value)),
    ...variables,
  ];
  const intervalOptions: Array<ComboboxOption<IntervalName>> = (
    catalog.intervals?.length ? catalog.intervals : INTERVALS
  ).map((interval) => ({ label: INTERVAL_LABELS[interval] ?? interval, value: interval }));

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
      // A metric that cannot answer the current kind switches to its first kind.
      if (!next.kinds.includes(queryType ?? 'timeseries')) {
        queryType = next.kinds[0];
      }
      // Keep only what the new metric can be grouped or filtered by.
      groupBy = groupBy && (next.dimensions.includes(groupBy) || isVariable(groupBy)) ? groupBy : NO_GROUP_BY;
      filters = (filters ?? []).filter(
        (f) => !f.dimension || next.dimensions.includes(f.dimension) || isVariable(f.dimension)
      );
    }
    // The service level target means nothing to other metrics, and the backend checks its range.
    const targetSeconds = option.value === 'service_level' ? query.targetSeconds : undefined;
    change({ ...withKind(query, queryType), metric: option.value, groupBy, filters, targetSeconds }, true);
  };

  return (
    <EditorRows>
      <EditorRow>
        <EditorFieldGroup>
          <EditorField label="Metric" width={40} tooltip={metric?.description} htmlFor="chatbot-query-metric">
            <Combobox<string>
              id="chatbot-query-metric"
              options={[...metricOptions, ...variables]}
              value={query.metric || null}
              onChange={onMetricChange}
              placeholder="Choose a metric"
              createCustomValue
            />
          </EditorField>
          {kind !== 'records' && (
            // Records are tables of rows: the backend refuses a group by for them.
            <EditorField label="Group by" width={24} htmlFor="chatbot-query-group-by">
              <Combobox<string>
                id="chatbot-query-group-by"
                options={groupByOptions}
                value={query.groupBy ?? NO_GROUP_BY}
                onChange={(option) => change({ ...query, groupBy: option.value }, true)}
                createCustomValue
              />
            </EditorField>
          )}
          <EditorField label="Kind" width={16} htmlFor="chatbot-query-kind">
            <Combobox<QueryKind>
              id="chatbot-query-kind"
              options={KIND_OPTIONS.filter((o) => !metric || metric.kinds.includes(o.value))}
              value={query.queryType ?? 'timeseries'}
              onChange={(option) => change(withKind(query, option.value), true)}
            />
          </EditorField>
          {kind === 'timeseries' && (
            <EditorField label="Interval" width={16} htmlFor="chatbot-query-interval">
              <Combobox<IntervalName>
                id="chatbot-query-interval"
                options={intervalOptions}
                value={query.interval ?? 'auto'}
                onChange={(option) => change({ ...query, interval: option.value }, true)}
              />
            </EditorField>
          )}
          {query.metric === 'transcript' && (
            <EditorField label="Conversation id" width={16} htmlFor="chatbot-query-conversation">
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
          {query.metric === 'service_level' && (
            <EditorField
              label="Target (s)"
              width={12}
              tooltip="Replies within this many seconds count as answered in time"
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
          {(kind === 'ranking' || kind === 'records') && (
            <EditorField
              label="Limit"
              width={10}
              tooltip="How many rows the ranking keeps"
              htmlFor="chatbot-query-limit"
            >
              <Input
                id="chatbot-query-limit"
                type="number"
                min={1}
                max={kind === 'records' ? 10000 : 1000}
                value={query.limit ?? (kind === 'records' ? 1000 : 10)}
                onChange={(e: ChangeEvent<HTMLInputElement>) =>
                  onChange({ ...query, limit: Number(e.currentTarget.value) || undefined })
                }
                onBlur={() => onRunQuery()}
              />
            </EditorField>
          )}
          <EditorField
            label="Time zone"
            optional
            width={24}
            tooltip="IANA time zone the buckets follow, e.g. Europe/Madrid"
            htmlFor="chatbot-query-timezone"
          >
            <Input
              id="chatbot-query-timezone"
              value={query.timezone ?? ''}
              placeholder="dashboard time zone"
              onChange={(e: ChangeEvent<HTMLInputElement>) => onChange({ ...query, timezone: e.currentTarget.value })}
              onBlur={() => onRunQuery()}
            />
          </EditorField>
        </EditorFieldGroup>
      </EditorRow>
      <EditorRow>
        <FiltersEditor
          filters={query.filters ?? []}
          dimensionOptions={dimensionOptions}
          variables={variables}
          canAdd={Boolean(metric) && dimensionOptions.length > 0}
          onChange={(filters, run) => change({ ...query, filters }, run)}
        />
      </EditorRow>
    </EditorRows>
  );
}

interface FiltersEditorProps {
  filters: DimensionFilter[];
  dimensionOptions: Array<ComboboxOption<string>>;
  variables: Array<ComboboxOption<string>>;
  canAdd: boolean;
  onChange: (filters: DimensionFilter[], run: boolean) => void;
}

function FiltersEditor({ filters, dimensionOptions, variables, canAdd, onChange }: FiltersEditorProps) {
  const update = (index: number, filter: DimensionFilter, run: boolean) =>
    onChange(
      filters.map((f, i) => (i === index ? filter : f)),
      run
    );

  return (
    <EditorField label="Filters" optional>
      <Stack direction="column" gap={1}>
        {filters.map((filter, index) => (
          <Stack key={index} gap={1} alignItems="center">
            <Combobox<string>
              id={`chatbot-query-filter-${index}-dimension`}
              width={24}
              options={[...dimensionOptions, ...variables]}
              value={filter.dimension || null}
              placeholder="Dimension"
              onChange={(option) => update(index, { ...filter, dimension: option.value }, filter.values.length > 0)}
            />
            <MultiCombobox<string>
              id={`chatbot-query-filter-${index}-values`}
              width={48}
              options={variables}
              value={filter.values}
              placeholder="Type a value and press Enter"
              createCustomValue
              onChange={(options) =>
                update(index, { ...filter, values: uniqueValues(options) }, Boolean(filter.dimension))
              }
            />
            <IconButton
              name="trash-alt"
              tooltip={`Remove filter ${index + 1}`}
              onClick={() =>
                onChange(
                  filters.filter((_, i) => i !== index),
                  true
                )
              }
            />
          </Stack>
        ))}
        <div>
          <Button
            variant="secondary"
            size="sm"
            icon="plus"
            disabled={!canAdd}
            onClick={() => onChange([...filters, { dimension: '', values: [] }], false)}
          >
            Add filter
          </Button>
        </div>
      </Stack>
    </EditorField>
  );
}

type LoadResult = { source: DataSource; state: CatalogState };

function useCatalog(datasource: DataSource): CatalogState {
  const [result, setResult] = useState<LoadResult | undefined>(undefined);

  useEffect(() => {
    let active = true;
    datasource.getCatalog().then(
      (catalog) => {
        if (active) {
          setResult({ source: datasource, state: { status: 'loaded', catalog } });
        }
      },
      (error: unknown) => {
        if (active) {
          setResult({ source: datasource, state: { status: 'error', message: errorMessage(error) } });
        }
      }
    );
    return () => {
      active = false;
    };
  }, [datasource]);

  // A result for another data source instance is stale: show loading until this one answers.
  return result && result.source === datasource ? result.state : { status: 'loading' };
}

function useTemplateVariableOptions(): Array<ComboboxOption<string>> {
  return useMemo(
    () =>
      getTemplateSrv()
        .getVariables()
        .map((v) => ({ label: `$${v.name}`, value: `$${v.name}`, group: VARIABLES_GROUP })),
    []
  );
}

/** The message of a failed resource call: the backend's message when it sent one. */
export function errorMessage(error: unknown): string {
  if (isFetchError(error)) {
    const data: unknown = error.data;
    if (data && typeof data === 'object' && 'message' in data && typeof data.message === 'string' && data.message) {
      return data.message;
    }
    if (typeof data === 'string' && data) {
      return data;
    }
    return error.statusText || `Request failed with status ${error.status}`;
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

/** Metric options, grouped by catalog section in the order the catalog lists them. */
export function metricOptionsBySection(metrics: CatalogMetric[]): Array<ComboboxOption<string>> {
  return metrics.map((m) => ({
    label: m.title,
    value: m.id,
    description: m.description,
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
  return { ...query, queryType: kind, limit: undefined };
}

/** A typed conversation id: a number, or a template variable's name kept as text. */
export function conversationIdFrom(text: string): number | string | undefined {
  const value = text.trim();
  if (/^\d+$/.test(value)) {
    return Number(value);
  }
  return isVariable(value) ? value : undefined;
}

function isVariable(value: string): boolean {
  return value.startsWith('$');
}

function uniqueValues(options: Array<ComboboxOption<string>>): string[] {
  const values = options.map((o) => String(o.value).trim()).filter((v) => v !== '');
  return Array.from(new Set(values));
}
