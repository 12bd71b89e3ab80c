import React, { useEffect, useMemo } from 'react';
import { QueryEditorProps } from '@grafana/data';
import { EditorField, EditorFieldGroup, EditorRow, EditorRows } from '@grafana/plugin-ui';
import { Alert, Combobox, ComboboxOption, InlineSwitch, LoadingPlaceholder, RadioButtonGroup } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { migrateVariableQuery } from '../migrations';
import {
  Catalog,
  ChatbotDataSourceOptions,
  ChatbotQuery,
  ChatbotVariableQuery,
  RANGED_DIMENSIONS,
  RECENT_ORDER_DIMENSIONS,
  ValuesOrder,
} from '../types';
import { isVariable, useCatalog, useTemplateVariableOptions } from './editorUtils';

type Props = QueryEditorProps<DataSource, ChatbotQuery, ChatbotDataSourceOptions, ChatbotVariableQuery>;

const ORDER_OPTIONS: Array<{ label: string; value: ValuesOrder; description: string }> = [
  { label: 'Name', value: 'name', description: 'Alphabetically' },
  { label: 'Latest activity', value: 'recent', description: 'The most recently active first' },
];

/**
 * The query of a template variable: which dimension's values it lists, whether only those of
 * the dashboard's time range or only those a metric has data for there, and in which order. Saved text queries are shown in the object form
 * and stored as such on the first change.
 */
export function VariableQueryEditor({ datasource, query: saved, onChange }: Props) {
  const query = useMemo(() => migrateVariableQuery(saved), [saved]);
  const catalogState = useCatalog(datasource);
  const variables = useTemplateVariableOptions();

  // A variable saved in the text form is stored in the object form, so that it opens as it runs.
  useEffect(() => {
    if (typeof saved === 'string' || (saved && typeof saved === 'object' && typeof saved.dimension !== 'string')) {
      onChange(query);
    }
  }, [saved, query, onChange]);

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

  // A filter-only dimension (a text search) has no values to list.
  const listable = catalogState.catalog.dimensions.filter((d) => !d.filterOnly);
  const known = listable.some((d) => d.id === query.dimension);
  const dimensionOptions: Array<ComboboxOption<string>> = [
    ...listable.map((d) => ({ label: d.title, value: d.id })),
    ...variables,
  ];
  const dimension = query.dimension;
  const canOrderByRecent = RECENT_ORDER_DIMENSIONS.includes(dimension) || isVariable(dimension);
  const ranged = RANGED_DIMENSIONS.includes(dimension) || isVariable(dimension);
  const unknown = dimension !== '' && !known && !isVariable(dimension);

  const change = (next: Partial<ChatbotVariableQuery>) => onChange({ ...query, ...next });
  const metricOptions = [...narrowingMetrics(catalogState.catalog, dimension), ...variables];
  const metric = query.metric ?? '';
  const metricUnknown = metric !== '' && !isVariable(metric) && !metricOptions.some((o) => o.value === metric);

  return (
    <EditorRows>
      <EditorRow>
        <EditorFieldGroup>
          <EditorField
            label="Dimension"
            width={32}
            tooltip="The variable lists this dimension's values in the workspace (at most 1000)"
            htmlFor="chatbot-variable-dimension"
            invalid={unknown}
            error={unknown ? `"${dimension}" is not a dimension with values: choose one from the list` : undefined}
          >
            <Combobox<string>
              id="chatbot-variable-dimension"
              options={unknown ? [{ label: dimension, value: dimension }, ...dimensionOptions] : dimensionOptions}
              value={dimension || null}
              placeholder="Choose a dimension"
              invalid={unknown}
              onChange={(option) => {
                const next = option.value;
                // Latest activity exists for some dimensions only; the backend refuses it for the others.
                const keepRecent = RECENT_ORDER_DIMENSIONS.includes(next) || isVariable(next);
                // A metric that cannot group by the new dimension cannot narrow it.
                const keepMetric =
                  metric !== '' && narrowingMetrics(catalogState.catalog, next).some((o) => o.value === metric);
                change({
                  dimension: next,
                  order: keepRecent ? query.order : undefined,
                  metric: keepMetric || isVariable(metric) ? query.metric : undefined,
                });
              }}
            />
          </EditorField>
          <EditorField
            label="Order"
            tooltip={
              canOrderByRecent
                ? 'Latest activity puts the most recent value first, so a variable whose sort is disabled starts on it'
                : 'Latest activity exists for intents, languages, closing reasons, web pages, phrases and tasks'
            }
          >
            <RadioButtonGroup<ValuesOrder>
              options={ORDER_OPTIONS}
              value={query.order ?? 'name'}
              disabledOptions={canOrderByRecent ? [] : ['recent']}
              onChange={(order) => change({ order: order === 'name' ? undefined : order })}
            />
          </EditorField>
          <EditorField
            label="With data for"
            width={32}
            tooltip="Only the values for which this metric has data in the dashboard's time range (the teams with missed conversations, say). Empty: every value"
            htmlFor="chatbot-variable-metric"
            invalid={metricUnknown}
            error={
              metricUnknown ? `"${metric}" cannot group by ${dimension}: choose a metric from the list` : undefined
            }
          >
            <Combobox<string>
              id="chatbot-variable-metric"
              options={metricUnknown ? [{ label: metric, value: metric }, ...metricOptions] : metricOptions}
              value={metric || null}
              placeholder="Any metric (every value)"
              invalid={metricUnknown}
              disabled={dimension === ''}
              isClearable
              onChange={(option) =>
                // Narrowed to a metric's data, the values are always those of the time range.
                change({
                  metric: option?.value || undefined,
                  ignoreTimeRange: option?.value ? undefined : query.ignoreTimeRange,
                })
              }
            />
          </EditorField>
          {ranged && !metric && (
            <EditorField
              label="Dashboard time range"
              tooltip="On: only the values that occur in the dashboard's time range. Off: every value there ever was"
              htmlFor="chatbot-variable-range"
            >
              <InlineSwitch
                id="chatbot-variable-range"
                value={!query.ignoreTimeRange}
                onChange={(e) => change({ ignoreTimeRange: e.currentTarget.checked ? undefined : true })}
              />
            </EditorField>
          )}
        </EditorFieldGroup>
      </EditorRow>
    </EditorRows>
  );
}

/**
 * The metrics that can narrow a dimension's values: those that group by it and have totals or a
 * snapshot (the values resource reads those). For a dimension held by a variable, every such metric.
 */
function narrowingMetrics(catalog: Catalog, dimension: string): Array<ComboboxOption<string>> {
  return catalog.metrics
    .filter((m) => m.kinds.includes('totals') || m.kinds.includes('snapshot'))
    .filter((m) => (isVariable(dimension) ? m.dimensions.length > 0 : m.dimensions.includes(dimension)))
    .map((m) => ({ label: m.title, value: m.id, description: m.section }));
}
