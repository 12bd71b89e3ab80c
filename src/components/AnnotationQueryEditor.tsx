import React, { ChangeEvent, useEffect, useMemo } from 'react';
import { QueryEditorProps } from '@grafana/data';
import { EditorField, EditorFieldGroup, EditorRow, EditorRows } from '@grafana/plugin-ui';
import { Alert, Combobox, ComboboxOption, Input } from '@grafana/ui';

import type { DataSource } from '../datasource';
import {
  ANNOTATION_EVENTS,
  AnnotationEventId,
  CatalogDimension,
  ChatbotDataSourceOptions,
  ChatbotQuery,
  QUERY_MODEL_VERSION,
} from '../types';
import { isVariable, useCatalog, useTemplateVariableOptions } from './editorUtils';
import { FiltersEditor } from './FiltersEditor';

type Props = QueryEditorProps<DataSource, ChatbotQuery, ChatbotDataSourceOptions>;

/** refId Grafana gives an annotation's query. */
export const ANNOTATION_REF_ID = 'Anno';

/** The event a new annotation marks. */
export const DEFAULT_ANNOTATION_EVENT: AnnotationEventId = 'missed_bursts';

const EVENT_OPTIONS: Array<ComboboxOption<AnnotationEventId>> = ANNOTATION_EVENTS.map((e) => ({
  label: e.title,
  value: e.id,
  description: e.description,
}));

/**
 * The annotation query a stored target stands for: the same object when it already is one, else
 * a query of the current model for its event (missed bursts when it has none), keeping its
 * filters and time zone and dropping the fields only panel queries read. Grafana hands a new
 * annotation the data source's default panel query, which this turns into an annotation query.
 */
export function toAnnotationQuery(query: ChatbotQuery | undefined): ChatbotQuery {
  if (query?.queryType === 'annotations' && query.event && query.version === QUERY_MODEL_VERSION) {
    return query;
  }
  const { metric, groupBy, interval, limit, targetSeconds, conversationId, ...rest } = query ?? {
    refId: ANNOTATION_REF_ID,
  };
  return {
    ...rest,
    refId: rest.refId || ANNOTATION_REF_ID,
    version: QUERY_MODEL_VERSION,
    queryType: 'annotations',
    event: query?.event ?? DEFAULT_ANNOTATION_EVENT,
    filters: query?.filters ?? [],
  };
}

/**
 * The editor of an annotation's query: which events to mark, the threshold that makes an event,
 * and filters with values suggested from the values resource. The events' titles, text and tags
 * come from the backend in the fields Grafana's annotations read (time, timeEnd, title, text,
 * tags), so no field mapping is needed.
 */
export function AnnotationQueryEditor({ datasource, query: stored, onChange, onRunQuery, range }: Props) {
  const query = useMemo(() => toAnnotationQuery(stored), [stored]);
  const catalogState = useCatalog(datasource);
  const variables = useTemplateVariableOptions();

  // Store the annotation query once, without running it.
  useEffect(() => {
    if (query !== stored) {
      onChange(query);
    }
  }, [query, stored, onChange]);

  const event = ANNOTATION_EVENTS.find((e) => e.id === query.event);
  const catalog = catalogState.status === 'loaded' ? catalogState.catalog : undefined;
  // The dimensions the event's metric can be filtered by.
  const dimensions: CatalogDimension[] = useMemo(() => {
    const metric = catalog?.metrics.find((m) => m.id === event?.metric);
    const byId = new Map((catalog?.dimensions ?? []).map((d) => [d.id, d]));
    return (metric?.dimensions ?? []).map((id) => byId.get(id) ?? { id, title: id });
  }, [catalog, event]);

  const change = (next: ChatbotQuery, run: boolean) => {
    onChange(next);
    if (run) {
      onRunQuery();
    }
  };

  const onEventChange = (option: ComboboxOption<AnnotationEventId>) => {
    const next = ANNOTATION_EVENTS.find((e) => e.id === option.value);
    const allowed = catalog?.metrics.find((m) => m.id === next?.metric)?.dimensions ?? [];
    // A threshold counts something else for another event; keep only the filters it allows.
    const filters = (query.filters ?? []).filter(
      (f) => !f.dimension || allowed.includes(f.dimension) || isVariable(f.dimension)
    );
    change({ ...query, event: option.value, threshold: undefined, filters }, true);
  };

  const unknownEvent = !event;
  return (
    <EditorRows>
      {catalogState.status === 'error' && (
        <Alert severity="warning" title="Could not load the metrics catalog: no filter suggestions">
          {catalogState.message}
        </Alert>
      )}
      <EditorRow>
        <EditorFieldGroup>
          <EditorField
            label="Event"
            width={40}
            tooltip={event?.description ?? 'What to mark on the time series panels'}
            htmlFor="chatbot-annotation-event"
            invalid={unknownEvent}
            error={unknownEvent ? `"${query.event}" is not an event: choose one from the list` : undefined}
          >
            <Combobox<AnnotationEventId>
              id="chatbot-annotation-event"
              options={EVENT_OPTIONS}
              value={event ? event.id : null}
              onChange={onEventChange}
              invalid={unknownEvent}
            />
          </EditorField>
          <EditorField
            label={event?.thresholdLabel ?? 'Threshold'}
            width={20}
            tooltip={`The least count that marks an event, a whole number; empty: ${event?.defaultThreshold ?? 'the default'}`}
            htmlFor="chatbot-annotation-threshold"
          >
            <Input
              id="chatbot-annotation-threshold"
              type="number"
              min={1}
              step={1}
              value={query.threshold ?? ''}
              placeholder={String(event?.defaultThreshold ?? '')}
              onChange={(e: ChangeEvent<HTMLInputElement>) =>
                onChange({ ...query, threshold: Number(e.currentTarget.value) || undefined })
              }
              onBlur={() => onRunQuery()}
            />
          </EditorField>
        </EditorFieldGroup>
      </EditorRow>
      {(dimensions.length > 0 || (query.filters?.length ?? 0) > 0) && (
        <EditorRow>
          <FiltersEditor
            datasource={datasource}
            filters={query.filters ?? []}
            dimensions={dimensions}
            variables={variables}
            range={range}
            tooltip="Marks only the events of what has one of the values (a team, say); several filters all apply"
            onChange={(filters, run) => change({ ...query, filters }, run)}
          />
        </EditorRow>
      )}
    </EditorRows>
  );
}
