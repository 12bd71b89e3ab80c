import React, { useEffect, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, TimeRange } from '@grafana/data';
import { EditorField } from '@grafana/plugin-ui';
import { Button, Combobox, ComboboxOption, Icon, IconButton, MultiCombobox, Stack, useStyles2 } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { CatalogDimension, DimensionFilter } from '../types';
import { errorMessage, isVariable } from './editorUtils';

/** Description of a saved value the values resource did not list. */
export const NOT_FOUND = 'Not found in the data over this time range';

interface Props {
  datasource: DataSource;
  filters: DimensionFilter[];
  /** The dimensions the metric can be filtered by. */
  dimensions: CatalogDimension[];
  variables: Array<ComboboxOption<string>>;
  range?: TimeRange;
  tooltip: string;
  onChange: (filters: DimensionFilter[], run: boolean) => void;
}

/**
 * Filter rows: a dimension and its values. Values are suggested from the values resource over
 * the panel's time range, with the dashboard's variables; a filter-only dimension (a text search)
 * takes typed text instead.
 */
export function FiltersEditor({ datasource, filters, dimensions, variables, range, tooltip, onChange }: Props) {
  const update = (index: number, filter: DimensionFilter, run: boolean) =>
    onChange(
      filters.map((f, i) => (i === index ? filter : f)),
      run
    );
  const dimensionOptions = dimensions.map((d) => ({
    label: d.title,
    value: d.id,
    description: d.filterOnly ? 'Typed text, found in the messages' : undefined,
  }));

  return (
    <EditorField label="Filters" optional tooltip={tooltip}>
      <Stack direction="column" gap={1}>
        {filters.map((filter, index) => (
          <FilterRow
            key={index}
            index={index}
            filter={filter}
            datasource={datasource}
            dimension={dimensions.find((d) => d.id === filter.dimension)}
            dimensionOptions={dimensionOptions}
            variables={variables}
            range={range}
            onChange={(next, run) => update(index, next, run)}
            onRemove={() =>
              onChange(
                filters.filter((_, i) => i !== index),
                true
              )
            }
          />
        ))}
        <div>
          <Button
            variant="secondary"
            size="sm"
            icon="plus"
            disabled={dimensions.length === 0}
            onClick={() => onChange([...filters, { dimension: '', values: [] }], false)}
          >
            Add filter
          </Button>
        </div>
      </Stack>
    </EditorField>
  );
}

interface RowProps {
  index: number;
  filter: DimensionFilter;
  datasource: DataSource;
  /** Undefined while no dimension is chosen, or for a variable or an unknown id. */
  dimension?: CatalogDimension;
  dimensionOptions: Array<ComboboxOption<string>>;
  variables: Array<ComboboxOption<string>>;
  range?: TimeRange;
  onChange: (filter: DimensionFilter, run: boolean) => void;
  onRemove: () => void;
}

function FilterRow({
  index,
  filter,
  datasource,
  dimension,
  dimensionOptions,
  variables,
  range,
  onChange,
  onRemove,
}: RowProps) {
  const styles = useStyles2(getStyles);
  const typed = Boolean(dimension?.filterOnly) || !dimension;
  const suggestions = useDimensionValues(datasource, typed ? undefined : dimension?.id, range);
  const listed = useMemo(() => new Set(suggestions.values), [suggestions.values]);
  const missing = suggestions.status === 'loaded' ? filter.values.filter((v) => !isVariable(v) && !listed.has(v)) : [];

  const valueOptions: Array<ComboboxOption<string>> = [
    ...suggestions.values.map((value) => ({ label: value, value })),
    ...missing.map(missingOption),
    ...variables,
  ];
  const selected = filter.values.map((value) =>
    missing.includes(value) ? missingOption(value) : { label: value, value }
  );
  const unknownDimension = filter.dimension && !dimension && !isVariable(filter.dimension);

  return (
    <Stack direction="column" gap={0.5}>
      <Stack gap={1} alignItems="center">
        <Combobox<string>
          id={`chatbot-query-filter-${index}-dimension`}
          width={28}
          options={[...dimensionOptions, ...variables]}
          value={filter.dimension || null}
          invalid={Boolean(unknownDimension)}
          placeholder="Dimension"
          // The values of one dimension mean nothing for another.
          onChange={(option) => onChange({ dimension: option.value, values: [] }, false)}
        />
        <MultiCombobox<string>
          id={`chatbot-query-filter-${index}-values`}
          width={48}
          options={valueOptions}
          value={selected}
          loading={suggestions.status === 'loading'}
          placeholder={dimension?.filterOnly ? 'Type text and press Enter' : 'Choose values'}
          // Typed text for a text search; elsewhere a value beyond the listed ones (the list
          // stops at 1000, and other time ranges hold others).
          createCustomValue
          customValueDescription={dimension?.filterOnly ? 'Search the messages for this text' : undefined}
          onChange={(options) => onChange({ ...filter, values: uniqueValues(options) }, Boolean(filter.dimension))}
        />
        <IconButton name="trash-alt" tooltip={`Remove filter ${index + 1}`} onClick={onRemove} />
      </Stack>
      {unknownDimension && (
        <div className={styles.warning}>
          <Icon name="exclamation-triangle" /> &quot;{filter.dimension}&quot; is not a dimension of this metric: choose
          another or remove the filter.
        </div>
      )}
      {missing.length > 0 && (
        <div className={styles.warning} data-testid={`filter-${index}-missing`}>
          <Icon name="exclamation-triangle" /> {NOT_FOUND}: {missing.join(', ')}. The filter still keeps only these
          values; remove them if they are gone.
        </div>
      )}
      {suggestions.status === 'error' && (
        <div className={styles.warning}>
          <Icon name="exclamation-triangle" /> Could not list the values: {suggestions.message}
        </div>
      )}
    </Stack>
  );
}

function missingOption(value: string): ComboboxOption<string> {
  return { label: `${value} (not found)`, value, description: NOT_FOUND };
}

type ValuesState =
  { status: 'idle' | 'loading' | 'loaded'; values: string[] } | { status: 'error'; values: string[]; message: string };

const NO_VALUES: string[] = [];

/** The values of dimension over range, read again when either changes. */
function useDimensionValues(datasource: DataSource, dimension: string | undefined, range?: TimeRange): ValuesState {
  const from = range?.from.valueOf();
  const to = range?.to.valueOf();
  const key = `${dimension}|${from}|${to}`;
  const [result, setResult] = useState<{ key: string; state: ValuesState }>();

  useEffect(() => {
    if (!dimension) {
      return;
    }
    let active = true;
    const timeRange = range && from !== undefined && to !== undefined ? range : undefined;
    datasource.getDimensionValues(dimension, { range: timeRange }).then(
      (values) => active && setResult({ key, state: { status: 'loaded', values } }),
      (error: unknown) =>
        active && setResult({ key, state: { status: 'error', values: NO_VALUES, message: errorMessage(error) } })
    );
    return () => {
      active = false;
    };
    // The range object changes on every render of some callers; its instants are what count.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [datasource, dimension, from, to]);

  if (!dimension) {
    return { status: 'idle', values: NO_VALUES };
  }
  return result?.key === key ? result.state : { status: 'loading', values: NO_VALUES };
}

function uniqueValues(options: Array<ComboboxOption<string>>): string[] {
  const values = options.map((o) => String(o.value).trim()).filter((v) => v !== '');
  return Array.from(new Set(values));
}

const getStyles = (theme: GrafanaTheme2) => ({
  warning: css({
    color: theme.colors.warning.text,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
