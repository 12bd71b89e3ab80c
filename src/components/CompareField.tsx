import React, { useState } from 'react';
import { EditorField } from '@grafana/plugin-ui';
import { Combobox, ComboboxOption } from '@grafana/ui';

import { ChatbotQuery, CompareMode, QueryKind } from '../types';
import { isVariable } from './editorUtils';

/** The kinds that can be compared with a previous period: every kind that answers numbers. */
export const COMPARABLE_KINDS: QueryKind[] = ['timeseries', 'totals', 'ranking', 'snapshot'];

const OFF = '';

const COMPARE_OPTIONS: Array<ComboboxOption<string>> = [
  { label: 'Off', value: OFF, description: 'Only the time range' },
  {
    label: 'Previous period',
    value: 'previous',
    description: 'The period just before: last month for this month, yesterday for today, the 24 hours before',
  },
  { label: '1 day', value: '1d', description: 'The same range a calendar day earlier' },
  { label: '7 days', value: '7d', description: 'The same range a week earlier, same local clock' },
  { label: '1 month', value: '1M', description: 'The same range a calendar month earlier' },
  { label: '1 year', value: '1y', description: 'The same range a calendar year earlier' },
];

const MODE_OPTIONS: Array<ComboboxOption<CompareMode>> = [
  { label: 'Both periods', value: '', description: 'The previous values beside the current ones' },
  { label: 'Change (%)', value: 'change', description: '(current - previous) / previous: for alert rules' },
  { label: 'Difference', value: 'difference', description: 'current - previous, in the metric unit' },
];

const COMPARE_TOOLTIP =
  'Also answer the same metric for an earlier period, in the query time zone: the previous period ' +
  '(a calendar month is compared with the month before), or an offset such as 7d, 1M or 1y. ' +
  'Time series get a second series per group labelled period=previous; totals get a row per period, ' +
  'previous first, so a stat panel with "Percent change" shows the change.';

const MODE_TOOLTIP =
  'What the comparison answers: both periods (for panels), or one number per group, the change or ' +
  'the difference (for alert rules: threshold the change, e.g. below -0.2 for a 20% drop)';

/** Go's duration units, as the backend's gtime.ParseDuration reads them, in nanoseconds. */
const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Why the backend would refuse a compare value, or undefined when it takes it: "previous", a
 * whole number (1 to 100000) of days, weeks, months or years (7d, 1w, 1M, 1y), or a duration of
 * whole minutes (90m, 12h, 1h30m). A template variable is checked once replaced, by the backend.
 */
export function compareError(value: string): string | undefined {
  const text = value.trim();
  if (text === OFF || text.toLowerCase() === 'previous' || isVariable(text)) {
    return undefined;
  }
  const dateUnits = /^(\d+)[dwMy]$/.exec(text);
  if (dateUnits) {
    const count = Number(dateUnits[1]);
    return count >= 1 && count <= 100000 ? undefined : offsetError(value);
  }
  const parts = [...text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    return offsetError(value);
  }
  const nanoseconds = parts.reduce((sum, p) => sum + Number(p[1]) * DURATION_UNITS[p[2]], 0);
  const minutes = nanoseconds / DURATION_UNITS.m;
  return minutes >= 1 && Number.isInteger(minutes) ? undefined : offsetError(value);
}

function offsetError(value: string): string {
  return `"${value}" is not an offset: use Previous period, or a whole number of minutes, hours, days, weeks, months or years such as 90m, 12h, 1d, 7d, 1w, 1M or 1y`;
}

/** The query without a comparison: for the kinds that have none (records). */
export function withoutCompare(query: ChatbotQuery): ChatbotQuery {
  return { ...query, compare: undefined, compareMode: undefined };
}

interface Props {
  query: ChatbotQuery;
  variables: Array<ComboboxOption<string>>;
  onChange: (query: ChatbotQuery, run: boolean) => void;
}

/** The previous-period comparison of a query: what to compare with, and what to answer. */
export function CompareField({ query, variables, onChange }: Props) {
  const [typed, setTyped] = useState<string | undefined>(undefined);
  const compare = query.compare ?? OFF;
  const known = COMPARE_OPTIONS.some((o) => o.value === compare) || variables.some((v) => v.value === compare);
  const options = known
    ? [...COMPARE_OPTIONS, ...variables]
    : [...COMPARE_OPTIONS, { label: compare, value: compare }, ...variables];
  const error = typed !== undefined ? compareError(typed) : compareError(compare);

  const onCompareChange = (option: ComboboxOption<string>) => {
    const value = option.value.trim();
    // A typed offset the backend would refuse is shown as an error and not stored.
    if (compareError(value)) {
      setTyped(value);
      return;
    }
    setTyped(undefined);
    onChange(value === OFF ? withoutCompare(query) : { ...query, compare: value }, true);
  };

  return (
    <>
      <EditorField
        label="Compare with"
        width={24}
        tooltip={COMPARE_TOOLTIP}
        htmlFor="chatbot-query-compare"
        invalid={Boolean(error)}
        error={error}
      >
        <Combobox<string>
          id="chatbot-query-compare"
          options={options}
          value={compare}
          createCustomValue
          customValueDescription="Use this offset"
          onChange={onCompareChange}
          invalid={Boolean(error)}
        />
      </EditorField>
      {compare !== OFF && (
        <EditorField label="Show" width={20} tooltip={MODE_TOOLTIP} htmlFor="chatbot-query-compare-mode">
          <Combobox<CompareMode>
            id="chatbot-query-compare-mode"
            options={MODE_OPTIONS}
            value={query.compareMode ?? ''}
            onChange={(option) => onChange({ ...query, compareMode: option.value || undefined }, true)}
          />
        </EditorField>
      )}
    </>
  );
}
