import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { setTemplateSrv } from '@grafana/runtime';

import { DataSource } from '../datasource';
import { fakeTemplateSrv } from '../testing/fakeTemplateSrv';
import { Catalog, ChatbotQuery } from '../types';
import { QueryEditor, metricOptionsBySection } from './QueryEditor';

const catalog: Catalog = {
  metrics: [
    {
      id: 'messages',
      section: 'usage',
      title: 'Messages',
      description: 'Messages sent and received',
      unit: 'short',
      kinds: ['timeseries'],
      dimensions: ['platform', 'sender'],
    },
    {
      id: 'new_users',
      section: 'usage',
      title: 'New users',
      description: 'Contacts whose first message falls in the bucket',
      unit: 'short',
      kinds: ['timeseries'],
      dimensions: ['platform'],
    },
  ],
  dimensions: [
    { id: 'platform', title: 'Platform' },
    { id: 'sender', title: 'Sender' },
  ],
  intervals: ['auto', 'minute', 'hour', 'day', 'week', 'month'],
};

function stubDataSource(getCatalog: () => Promise<Catalog>): DataSource {
  return { getCatalog: jest.fn(getCatalog) } as unknown as DataSource;
}

function renderEditor(query: ChatbotQuery, datasource = stubDataSource(() => Promise.resolve(catalog))) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(<QueryEditor datasource={datasource} query={query} onChange={onChange} onRunQuery={onRunQuery} />);
  return { onChange, onRunQuery, datasource };
}

describe('QueryEditor', () => {
  beforeEach(() => {
    setTemplateSrv(fakeTemplateSrv({ platform: ['whatsapp', 'telegram'] }));
  });

  it("shows the chosen metric's title, group by and interval from the catalog", async () => {
    const { datasource } = renderEditor({
      refId: 'A',
      version: 1,
      queryType: 'timeseries',
      metric: 'messages',
      groupBy: 'platform',
      interval: 'day',
      filters: [{ dimension: 'sender', values: ['bot'] }],
    });

    expect(await screen.findByDisplayValue('Messages')).toBeInTheDocument();
    expect(screen.getByLabelText('Metric')).toHaveValue('Messages');
    expect(screen.getByLabelText('Group by')).toHaveValue('Platform');
    expect(screen.getByLabelText('Interval')).toHaveValue('Day');
    expect(screen.getByDisplayValue('Sender')).toBeInTheDocument();
    expect(screen.getByText('bot')).toBeInTheDocument();
    expect(screen.getByPlaceholderText('dashboard time zone')).toHaveValue('');
    expect(datasource.getCatalog).toHaveBeenCalledTimes(1);
  });

  it('shows None when the query is not grouped', async () => {
    renderEditor({ refId: 'A', version: 1, metric: 'new_users', groupBy: '', interval: 'auto', filters: [] });

    expect(await screen.findByDisplayValue('New users')).toBeInTheDocument();
    expect(screen.getByLabelText('Group by')).toHaveValue('None');
    expect(screen.getByLabelText('Interval')).toHaveValue('Auto');
  });

  it('shows a loading state until the catalog arrives', async () => {
    let resolve: (c: Catalog) => void = () => {};
    const pending = new Promise<Catalog>((r) => (resolve = r));
    renderEditor(
      { refId: 'A', version: 1, metric: 'messages' },
      stubDataSource(() => pending)
    );

    expect(screen.getByText('Loading metrics catalog...')).toBeInTheDocument();
    resolve(catalog);
    expect(await screen.findByDisplayValue('Messages')).toBeInTheDocument();
  });

  it("shows the backend's error when the catalog cannot be loaded", async () => {
    const failure = {
      status: 500,
      statusText: 'Internal Server Error',
      data: { message: 'password authentication failed for user "grafana_reader"' },
      config: { url: 'api/datasources/uid/x/resources/catalog' },
    };
    renderEditor(
      { refId: 'A', version: 1 },
      stubDataSource(() => Promise.reject(failure))
    );

    expect(await screen.findByText('Could not load the metrics catalog')).toBeInTheDocument();
    expect(screen.getByText('password authentication failed for user "grafana_reader"')).toBeInTheDocument();
  });

  it('stores the migrated model of a query without version, without running it', async () => {
    const { onChange, onRunQuery } = renderEditor({ refId: 'A', metric: 'messages' });

    await screen.findByDisplayValue('Messages');
    expect(onChange).toHaveBeenCalledWith({
      refId: 'A',
      metric: 'messages',
      version: 1,
      queryType: 'timeseries',
      interval: 'auto',
      filters: [],
    });
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('adds and removes filter rows', async () => {
    const query: ChatbotQuery = {
      refId: 'A',
      version: 1,
      metric: 'messages',
      interval: 'auto',
      filters: [{ dimension: 'platform', values: ['whatsapp'] }],
    };
    const { onChange, onRunQuery } = renderEditor(query);
    await screen.findByDisplayValue('Messages');

    fireEvent.click(screen.getByRole('button', { name: /add filter/i }));
    expect(onChange).toHaveBeenLastCalledWith({
      ...query,
      filters: [
        { dimension: 'platform', values: ['whatsapp'] },
        { dimension: '', values: [] },
      ],
    });
    expect(onRunQuery).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Remove filter 1' }));
    expect(onChange).toHaveBeenLastCalledWith({ ...query, filters: [] });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('edits the time zone', async () => {
    const query: ChatbotQuery = { refId: 'A', version: 1, metric: 'messages', filters: [] };
    const { onChange } = renderEditor(query);
    await screen.findByDisplayValue('Messages');

    fireEvent.change(screen.getByPlaceholderText('dashboard time zone'), { target: { value: 'Europe/Madrid' } });

    expect(onChange).toHaveBeenLastCalledWith({ ...query, timezone: 'Europe/Madrid' });
  });
});

describe('metricOptionsBySection', () => {
  it('labels each metric with its title and description, grouped by section', () => {
    expect(metricOptionsBySection(catalog.metrics)).toEqual([
      { label: 'Messages', value: 'messages', description: 'Messages sent and received', group: 'Usage' },
      {
        label: 'New users',
        value: 'new_users',
        description: 'Contacts whose first message falls in the bucket',
        group: 'Usage',
      },
    ]);
  });
});
