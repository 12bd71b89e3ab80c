import { configure, fireEvent, screen } from '@testing-library/react';
import userEvent, { UserEvent } from '@testing-library/user-event';
import { setTemplateSrv } from '@grafana/runtime';

import { setUpComboboxMenus } from '../testing/combobox';
import { fakeTemplateSrv } from '../testing/fakeTemplateSrv';
import { catalog, renderControlled, renderEditor, stubDataSource } from '../testing/stubs';
import { Catalog, ChatbotQuery } from '../types';
import { metricOptionsBySection } from './QueryEditor';

// Combobox menus with the whole catalog are slow to open in jsdom, more so with two workers.
jest.setTimeout(90000);
configure({ asyncUtilTimeout: 5000 });

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
    expect(await screen.findByText('bot')).toBeInTheDocument();
    // No time zone of its own: the dashboard's, which the picker calls Default.
    expect(screen.getByLabelText('Time zone picker')).toBeInTheDocument();
    expect(screen.getByText('Default')).toBeInTheDocument();
    expect(datasource.getCatalog).toHaveBeenCalledTimes(1);
  });

  it('shows None when the query is not grouped', async () => {
    renderEditor({ refId: 'A', version: 1, metric: 'new_users', groupBy: '', interval: 'auto', filters: [] });

    expect(await screen.findByDisplayValue('New users')).toBeInTheDocument();
    expect(screen.getByLabelText('Group by')).toHaveValue('None');
    expect(screen.getByLabelText('Interval')).toHaveValue('Auto');
  });

  it('offers no group by for records', async () => {
    renderEditor({ refId: 'A', version: 1, queryType: 'records', metric: 'dialogs', filters: [] });
    expect(await screen.findByDisplayValue('Dialogs')).toBeInTheDocument();
    expect(screen.queryByLabelText('Group by')).not.toBeInTheDocument();
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
});

/** The text (label, then description) of each option a combobox offers, without choosing one. */
async function optionsOf(user: UserEvent, label: string): Promise<string[]> {
  await user.click(screen.getByLabelText(label));
  const options = await screen.findAllByRole('option');
  await user.keyboard('{Escape}');
  return options.map((o) => o.textContent ?? '');
}

async function choose(user: UserEvent, label: string, option: string) {
  await user.click(screen.getByLabelText(label));
  await user.click(await screen.findByRole('option', { name: new RegExp(`^${option}`) }));
}

/** Types over the current metric to find another in the long list, and picks it. */
async function chooseMetric(user: UserEvent, title: string) {
  const input = screen.getByLabelText<HTMLInputElement>('Metric');
  await user.type(input, title, { initialSelectionStart: 0, initialSelectionEnd: input.value.length });
  // The typed text is offered as a custom value too.
  const options = await screen.findAllByRole('option', { name: new RegExp(`^${title}`) });
  const option = options.find((o) => !o.textContent?.includes('Use custom value'));
  expect(option).toBeDefined();
  await user.click(option!);
}

// Editing through Combobox menus, which jsdom cannot lay out without help.
describe('editing', () => {
  let restoreMenus: () => void;
  beforeAll(() => {
    restoreMenus = setUpComboboxMenus();
  });
  afterAll(() => restoreMenus());
  beforeEach(() => {
    setTemplateSrv(fakeTemplateSrv({}));
  });

  it('never offers a filter-only dimension as a group by', async () => {
    // A catalog where conversations may also be searched by text, as dialogs are.
    const searchable: Catalog = {
      ...catalog,
      metrics: catalog.metrics.map((m) =>
        m.id === 'conversations' ? { ...m, dimensions: [...m.dimensions, 'message_text'] } : m
      ),
    };
    expect(searchable.dimensions.find((d) => d.id === 'message_text')?.filterOnly).toBe(true);
    const user = userEvent.setup();
    renderEditor(
      { refId: 'A', version: 1, queryType: 'timeseries', metric: 'conversations', filters: [] },
      stubDataSource(() => Promise.resolve(searchable))
    );
    await screen.findByDisplayValue('Conversations');

    const offered = await optionsOf(user, 'Group by');
    expect(offered).toContainEqual(expect.stringMatching(/^Platform/));
    expect(offered).not.toContainEqual(expect.stringMatching(/^Message text contains/));
  });

  describe('query kinds', () => {
    it('shows the limit for a ranking instead of the interval', async () => {
      renderEditor({
        refId: 'A',
        version: 1,
        queryType: 'ranking',
        metric: 'top_intents',
        groupBy: 'intent',
        limit: 5,
      });

      expect(await screen.findByDisplayValue('Top intents')).toBeInTheDocument();
      expect(screen.getByLabelText('Kind')).toHaveValue('Ranking');
      expect(screen.getByLabelText('Limit')).toHaveValue(5);
      expect(screen.queryByLabelText('Interval')).not.toBeInTheDocument();
    });

    it('offers only the kinds the metric supports', async () => {
      const { user } = renderControlled({ refId: 'A', version: 1, queryType: 'timeseries', metric: 'top_intents' });
      await screen.findByDisplayValue('Top intents');

      expect(await optionsOf(user, 'Kind')).toEqual([
        expect.stringMatching(/^Time series/),
        expect.stringMatching(/^Totals/),
        expect.stringMatching(/^Ranking/),
      ]);

      await chooseMetric(user, 'Active sessions');
      expect(await optionsOf(user, 'Kind')).toEqual([expect.stringMatching(/^Snapshot/)]);

      await chooseMetric(user, 'Dialogs');
      expect(await optionsOf(user, 'Kind')).toEqual([expect.stringMatching(/^Records/)]);
    });

    it('choosing Ranking on a time series keeps the metric and group by and runs the query', async () => {
      const query: ChatbotQuery = {
        refId: 'A',
        version: 1,
        queryType: 'timeseries',
        metric: 'top_intents',
        groupBy: 'intent',
        interval: 'day',
        filters: [{ dimension: 'platform', values: ['webchat'] }],
      };
      const { onChange, onRunQuery, user } = renderControlled(query);
      await screen.findByDisplayValue('Top intents');

      await choose(user, 'Kind', 'Ranking');

      expect(onChange).toHaveBeenLastCalledWith({ ...query, queryType: 'ranking' });
      expect(onRunQuery).toHaveBeenCalledTimes(1);
      expect(screen.getByLabelText('Kind')).toHaveValue('Ranking');
      expect(screen.getByLabelText('Group by')).toHaveValue('Intent');
      expect(screen.getByLabelText('Limit')).toHaveValue(10);
      expect(screen.queryByLabelText('Interval')).not.toBeInTheDocument();
    });

    it('switching away from a ranking hides the limit and drops it', async () => {
      const { onChange, user } = renderControlled({
        refId: 'A',
        version: 1,
        queryType: 'ranking',
        metric: 'top_intents',
        groupBy: 'intent',
        limit: 5,
      });
      await screen.findByDisplayValue('Top intents');
      expect(screen.getByLabelText('Limit')).toHaveValue(5);

      await choose(user, 'Kind', 'Totals');

      expect(screen.queryByLabelText('Limit')).not.toBeInTheDocument();
      expect(onChange.mock.lastCall?.[0]).toMatchObject({
        queryType: 'totals',
        metric: 'top_intents',
        groupBy: 'intent',
      });
      expect(onChange.mock.lastCall?.[0].limit).toBeUndefined();
    });

    it('choosing the transcript asks for the conversation and switches to records', async () => {
      const { onChange, user } = renderControlled({
        refId: 'A',
        version: 1,
        queryType: 'timeseries',
        metric: 'top_intents',
        groupBy: 'intent',
        interval: 'auto',
        filters: [{ dimension: 'language', values: ['es'] }],
      });
      await screen.findByDisplayValue('Top intents');
      expect(screen.queryByLabelText('Conversation id')).not.toBeInTheDocument();

      await chooseMetric(user, 'Transcript');

      // The transcript answers only records and has no dimensions: nothing of the old grouping stays.
      expect(onChange.mock.lastCall?.[0]).toMatchObject({
        metric: 'transcript',
        queryType: 'records',
        groupBy: '',
        filters: [],
      });
      expect(screen.getByLabelText('Kind')).toHaveValue('Records');
      expect(screen.queryByLabelText('Interval')).not.toBeInTheDocument();

      fireEvent.change(screen.getByLabelText('Conversation id'), { target: { value: '13' } });
      expect(onChange.mock.lastCall?.[0]).toMatchObject({
        metric: 'transcript',
        queryType: 'records',
        conversationId: 13,
      });
    });

    // A records limit (up to 10000) must not become a ranking's (up to 1000): the backend would
    // refuse the ranking with "limit 5000 is out of range" while the editor hid the limit.
    it('does not carry a records limit into a ranking of another metric', async () => {
      const { onChange, user } = renderControlled({
        refId: 'A',
        version: 1,
        queryType: 'records',
        metric: 'dialogs',
        limit: 5000,
        filters: [],
      });
      await screen.findByDisplayValue('Dialogs');
      expect(screen.getByLabelText('Limit')).toHaveValue(5000);

      await chooseMetric(user, 'Top intents');
      expect(screen.getByLabelText('Kind')).toHaveValue('Time series');
      await choose(user, 'Group by', 'Intent');
      await choose(user, 'Kind', 'Ranking');

      expect(screen.getByLabelText('Limit')).toHaveValue(10);
      expect(onChange.mock.lastCall?.[0]).toMatchObject({
        metric: 'top_intents',
        queryType: 'ranking',
        groupBy: 'intent',
      });
      expect(onChange.mock.lastCall?.[0].limit).toBeUndefined();
    });
  });

  describe('service level', () => {
    it('shows the answer target', async () => {
      renderEditor({ refId: 'A', version: 1, queryType: 'totals', metric: 'service_level', targetSeconds: 30 });

      expect(await screen.findByDisplayValue('Service level')).toBeInTheDocument();
      expect(screen.getByLabelText('Target (s)')).toHaveValue(30);
    });

    // A hidden target would still be checked by the backend, for a metric that has no use for it.
    it('drops the target when another metric is chosen', async () => {
      const { onChange, user } = renderControlled({
        refId: 'A',
        version: 1,
        queryType: 'totals',
        metric: 'service_level',
        targetSeconds: 900000,
      });
      await screen.findByDisplayValue('Service level');

      await chooseMetric(user, 'Handled conversations');

      expect(screen.queryByLabelText('Target (s)')).not.toBeInTheDocument();
      expect(onChange.mock.lastCall?.[0]).toMatchObject({ metric: 'handled_conversations', queryType: 'totals' });
      expect(onChange.mock.lastCall?.[0].targetSeconds).toBeUndefined();
    });
  });
});

describe('metricOptionsBySection', () => {
  it('labels each metric with its title and description, grouped by section', () => {
    const options = metricOptionsBySection(catalog.metrics);
    expect(options).toHaveLength(catalog.metrics.length);
    expect(options.slice(0, 8).map((o) => o.label)).toEqual([
      'Active users',
      'New users',
      'Returning users',
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
    expect(options[5]).toEqual({
      label: 'Messages sent',
      value: 'messages_sent',
      description: 'Outbound messages in the bucket; group or filter by sender (bot, agent, broadcast).',
      group: 'Usage',
    });
  });
});
