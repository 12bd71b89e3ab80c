import React, { useState } from 'react';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CoreApp, DataSourceInstanceSettings, TimeRange } from '@grafana/data';

import { AnnotationQueryEditor } from '../components/AnnotationQueryEditor';
import { QueryEditor } from '../components/QueryEditor';
import { DataSource } from '../datasource';
import { Catalog, ChatbotDataSourceOptions, ChatbotQuery } from '../types';
import catalogFixture from './catalog.json';

/** The catalog the backend serves, shared with the Go tests (pkg/plugin/resources_test.go). */
export const catalog = catalogFixture as Catalog;

/** A data source instance as Grafana hands it to the frontend. */
export const instanceSettings = {
  id: 1,
  uid: 'chatbot-uid',
  type: 'chatbotmetrics-chatbot-datasource',
  name: 'Chatbot Metrics',
  access: 'proxy',
  readOnly: false,
  jsonData: { workspace: 'acme' },
  meta: { id: 'chatbotmetrics-chatbot-datasource' },
} as unknown as DataSourceInstanceSettings<ChatbotDataSourceOptions>;

/** Values the stub's values resource lists, by dimension. */
export const dimensionValues: Record<string, string[]> = {
  platform: ['telegram', 'webchat', 'whatsapp'],
  intent: ['billing', 'greeting', 'refund'],
  language: ['en', 'es'],
  sender: ['bot', 'agent', 'broadcast'],
  task: ['Spring', 'Summer'],
};

/**
 * A data source whose parts the editors use answer as given: the catalog as getCatalog says, the
 * values resource from dimensionValues (none for other dimensions).
 */
export function stubDataSource(
  getCatalog: () => Promise<Catalog> = () => Promise.resolve(catalog),
  getDimensionValues: (dimension: string) => Promise<string[]> = (dimension) =>
    Promise.resolve(dimensionValues[dimension] ?? [])
): DataSource {
  return {
    getCatalog: jest.fn(getCatalog),
    getDimensionValues: jest.fn(getDimensionValues),
  } as unknown as DataSource;
}

/** Renders the query editor for query, uncontrolled: changes are reported, not applied. */
export function renderEditor(
  query: ChatbotQuery,
  datasource = stubDataSource(),
  extra: { app?: CoreApp; range?: TimeRange } = {}
) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(<QueryEditor datasource={datasource} query={query} onChange={onChange} onRunQuery={onRunQuery} {...extra} />);
  return { onChange, onRunQuery, datasource };
}

/** The editor inside a panel: each change is stored and rendered again, as Grafana does. */
export function renderControlled(initial: ChatbotQuery, extra: { app?: CoreApp; range?: TimeRange } = {}) {
  const datasource = stubDataSource();
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  function Panel() {
    const [query, setQuery] = useState(initial);
    const change = (next: ChatbotQuery) => {
      onChange(next);
      setQuery(next);
    };
    return <QueryEditor datasource={datasource} query={query} onChange={change} onRunQuery={onRunQuery} {...extra} />;
  }
  render(<Panel />);
  return { onChange, onRunQuery, datasource, user: userEvent.setup() };
}

/**
 * The annotation editor as Grafana's annotation settings show it, uncontrolled: changes are
 * reported, not applied. Pass `controlled` to store each change and render again.
 */
export function renderAnnotationEditor(
  query: ChatbotQuery,
  datasource = stubDataSource(),
  extra: { range?: TimeRange; controlled?: boolean } = {}
) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  function Settings() {
    const [current, setCurrent] = useState(query);
    const change = (next: ChatbotQuery) => {
      onChange(next);
      if (extra.controlled) {
        setCurrent(next);
      }
    };
    return (
      <AnnotationQueryEditor
        datasource={datasource}
        query={current}
        onChange={change}
        onRunQuery={onRunQuery}
        range={extra.range}
      />
    );
  }
  render(<Settings />);
  return { onChange, onRunQuery, datasource, user: userEvent.setup() };
}
