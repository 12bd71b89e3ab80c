import React, { useEffect, useMemo } from 'react';
import { QueryEditorProps } from '@grafana/data';
import { EditorField, EditorFieldGroup, EditorRow, EditorRows } from '@grafana/plugin-ui';
import { Alert, Combobox, ComboboxOption, InlineSwitch, LoadingPlaceholder, RadioButtonGroup } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { migrateVariableQuery } from '../migrations';
import {
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
 * the dashboard's time range, and in which order. Saved text queries are shown in the object form
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
                change({ dimension: next, order: keepRecent ? query.order : undefined });
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
          {ranged && (
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
