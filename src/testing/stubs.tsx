import React from 'react';
import { render } from '@testing-library/react';
import { DataSourceInstanceSettings } from '@grafana/data';

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

/** A data source whose only part the query editor uses, the catalog, answers as getCatalog says. */
export function stubDataSource(getCatalog: () => Promise<Catalog> = () => Promise.resolve(catalog)): DataSource {
  return { getCatalog: jest.fn(getCatalog) } as unknown as DataSource;
}

/** Renders the query editor for query, uncontrolled: changes are reported, not applied. */
export function renderEditor(query: ChatbotQuery, datasource = stubDataSource()) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(<QueryEditor datasource={datasource} query={query} onChange={onChange} onRunQuery={onRunQuery} />);
  return { onChange, onRunQuery, datasource };
}
