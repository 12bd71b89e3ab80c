import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { setTemplateSrv } from '@grafana/runtime';

import { DataSource } from '../datasource';
import { fakeTemplateSrv } from '../testing/fakeTemplateSrv';
import { Catalog, ChatbotQuery } from '../types';
import catalogFixture from '../testing/catalog.json';
import { QueryEditor, metricOptionsBySection } from './QueryEditor';

// The catalog the backend serves, shared with the Go tests (pkg/plugin/resources_test.go).
const catalog = catalogFixture as Catalog;

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
      metric: 'messages_sent',
      groupBy: 'platform',
      interval: 'day',
      filters: [{ dimension: 'sender', values: ['bot'] }],
    });

    expect(await screen.findByDisplayValue('Messages sent')).toBeInTheDocument();
    expect(screen.getByLabelText('Metric')).toHaveValue('Messages sent');
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
      { refId: 'A', version: 1, metric: 'messages_sent' },
      stubDataSource(() => pending)
    );

    expect(screen.getByText('Loading metrics catalog...')).toBeInTheDocument();
    resolve(catalog);
    expect(await screen.findByDisplayValue('Messages sent')).toBeInTheDocument();
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
    const { onChange, onRunQuery } = renderEditor({ refId: 'A', metric: 'messages_sent' });

    await screen.findByDisplayValue('Messages sent');
    expect(onChange).toHaveBeenCalledWith({
      refId: 'A',
      metric: 'messages_sent',
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
      metric: 'messages_sent',
      interval: 'auto',
      filters: [{ dimension: 'platform', values: ['whatsapp'] }],
    };
    const { onChange, onRunQuery } = renderEditor(query);
    await screen.findByDisplayValue('Messages sent');

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
    const query: ChatbotQuery = { refId: 'A', version: 1, metric: 'messages_sent', filters: [] };
    const { onChange } = renderEditor(query);
    await screen.findByDisplayValue('Messages sent');

    fireEvent.change(screen.getByPlaceholderText('dashboard time zone'), { target: { value: 'Europe/Madrid' } });

    expect(onChange).toHaveBeenLastCalledWith({ ...query, timezone: 'Europe/Madrid' });
  });
});

describe('query kinds', () => {
  it('shows the limit for a ranking instead of the interval', async () => {
    renderEditor({ refId: 'A', version: 1, queryType: 'ranking', metric: 'top_intents', groupBy: 'intent', limit: 5 });

    expect(await screen.findByDisplayValue('Top intents')).toBeInTheDocument();
    expect(screen.getByLabelText('Kind')).toHaveValue('Ranking');
    expect(screen.getByLabelText('Limit')).toHaveValue(5);
    expect(screen.queryByLabelText('Interval')).not.toBeInTheDocument();
  });
});

describe('service level', () => {
  it('shows the answer target', async () => {
    renderEditor({ refId: 'A', version: 1, queryType: 'totals', metric: 'service_level', targetSeconds: 30 });

    expect(await screen.findByDisplayValue('Service level')).toBeInTheDocument();
    expect(screen.getByLabelText('Target (s)')).toHaveValue(30);
  });
});

describe('metricOptionsBySection', () => {
  it('labels each metric with its title and description, grouped by section', () => {
    const options = metricOptionsBySection(catalog.metrics);
    expect(options).toHaveLength(catalog.metrics.length);
    expect(options.slice(0, 7).map((o) => o.label)).toEqual([
      'Active users',
      'New users',
      'Total users',
      'Messages received',
      'Messages sent',
      'Total messages',
      'Conversations',
    ]);
    expect(options.find((o) => o.value === 'top_intents')).toMatchObject({ label: 'Top intents', group: 'Chatbot' });
    expect(options.find((o) => o.value === 'wait_time_p90')).toMatchObject({
      label: 'Wait time (90th percentile)',
      group: 'Contact center',
    });
    expect(options[4]).toEqual({
      label: 'Messages sent',
      value: 'messages_sent',
      description: 'Outbound messages in the bucket; group or filter by sender (bot, agent, broadcast).',
      group: 'Usage',
    });
  });
});
