import { configure, fireEvent, screen } from '@testing-library/react';
import { UserEvent } from '@testing-library/user-event';
import { CoreApp, dateTime, TimeRange } from '@grafana/data';
import { setTemplateSrv } from '@grafana/runtime';

import { setUpComboboxMenus } from '../testing/combobox';
import { fakeTemplateSrv } from '../testing/fakeTemplateSrv';
import { QUERY_FIXTURES } from '../testing/queryFixtures';
import { renderControlled, renderEditor, stubDataSource } from '../testing/stubs';
import { ChatbotQuery, QueryKind } from '../types';
import { groupByTooltip, kindTooltip, limitField } from './QueryEditor';

const from = dateTime('2022-01-01T00:00:00Z');
const to = dateTime('2022-02-01T00:00:00Z');
const range: TimeRange = { from, to, raw: { from: 'now-30d', to: 'now' } };

async function optionsOf(user: UserEvent, input: HTMLElement): Promise<string[]> {
  await user.click(input);
  const options = await screen.findAllByRole('option');
  await user.keyboard('{Escape}');
  return options.map((o) => o.textContent ?? '');
}

/** A filter row's dimension or values input. */
function filterInput(index: number, part: 'dimension' | 'values'): HTMLInputElement {
  const input = document.getElementById(`chatbot-query-filter-${index}-${part}`);
  expect(input).toBeInstanceOf(HTMLInputElement);
  return input as HTMLInputElement;
}

async function choose(user: UserEvent, label: string | HTMLElement, option: string) {
  await user.click(typeof label === 'string' ? screen.getByLabelText(label) : label);
  await user.click(await screen.findByRole('option', { name: new RegExp(`^${option}`) }));
}

// Combobox menus with the whole catalog are slow to open in jsdom, more so with two workers.
jest.setTimeout(90000);
configure({ asyncUtilTimeout: 5000 });

describe('query editor flows', () => {
  let restoreMenus: () => void;
  beforeAll(() => {
    restoreMenus = setUpComboboxMenus();
  });
  afterAll(() => restoreMenus());
  beforeEach(() => {
    setTemplateSrv(fakeTemplateSrv({ platform: ['whatsapp'], metric: 'top_intents' }));
  });

  describe('metric', () => {
    it('offers only catalog metrics, no typed metric', async () => {
      const { user } = renderControlled({ refId: 'A', version: 1, metric: 'new_users', filters: [] });
      const input = await screen.findByDisplayValue<HTMLInputElement>('New users');

      await user.type(input, 'intents', { initialSelectionStart: 0, initialSelectionEnd: 9 });
      const offered = (await screen.findAllByRole('option')).map((o) => o.textContent ?? '');
      expect(offered).toEqual([expect.stringMatching(/^Top intents/)]);
      expect(offered.join()).not.toMatch(/custom value/i);

      await user.type(input, 'happiness', { initialSelectionStart: 0, initialSelectionEnd: input.value.length });
      // Nothing to choose: a typed id is never taken as a metric.
      expect(screen.queryAllByRole('option')).toEqual([]);
    });

    it('shows a saved metric the catalog lacks as unknown, with what to do', async () => {
      const fixture = QUERY_FIXTURES.find((f) => f.name === 'unknown metric near a catalog id')!;
      const { onChange } = renderEditor(fixture.query);

      expect(
        await screen.findByText('"intents" is not a metric of the catalog: choose one from the list')
      ).toBeVisible();
      expect(screen.getByLabelText('Metric')).toHaveValue('intents');
      expect(onChange).not.toHaveBeenCalled();
    });

    it('takes a template variable as the metric, without an error', async () => {
      renderEditor({ refId: 'A', version: 1, metric: '$metric', queryType: 'totals', filters: [] });

      expect(await screen.findByDisplayValue('$metric')).toBeInTheDocument();
      expect(screen.queryByText(/is not a metric of the catalog/)).not.toBeInTheDocument();
      // Any dimension may apply to a variable metric.
      expect(screen.getByLabelText('Group by')).toBeInTheDocument();
    });
  });

  describe('filter values', () => {
    it("suggests the dimension's values over the panel's time range, and the dashboard's variables", async () => {
      const query: ChatbotQuery = {
        refId: 'A',
        version: 1,
        metric: 'messages_sent',
        filters: [{ dimension: 'platform', values: ['whatsapp'] }],
      };
      const { onChange, onRunQuery, datasource, user } = renderControlled(query, { range });
      await screen.findByDisplayValue('Messages sent');

      expect(datasource.getDimensionValues).toHaveBeenCalledWith('platform', { range });
      const values = filterInput(0, 'values');
      expect(await optionsOf(user, values)).toEqual(['telegram', 'webchat', 'whatsapp', '$platform', '$metric']);

      await user.click(values);
      await user.click(await screen.findByRole('option', { name: 'webchat' }));

      expect(onChange).toHaveBeenLastCalledWith({
        ...query,
        filters: [{ dimension: 'platform', values: ['whatsapp', 'webchat'] }],
      });
      expect(onRunQuery).toHaveBeenCalled();
    });

    it('marks a saved value the data no longer has, and lets it be removed', async () => {
      const { onChange, user } = renderControlled(
        {
          refId: 'A',
          version: 1,
          metric: 'messages_sent',
          filters: [{ dimension: 'platform', values: ['whatsapp', 'signal', '$platform'] }],
        },
        { range }
      );
      await screen.findByDisplayValue('Messages sent');

      const warning = await screen.findByTestId('filter-0-missing');
      expect(warning).toHaveTextContent('Not found in the data over this time range: signal.');
      // A variable is never "not found": its values are the dashboard's.
      expect(warning).not.toHaveTextContent('$platform');

      // The menu lists it as such, selected, beside the values found; choosing it removes it.
      await user.click(filterInput(0, 'values'));
      const missing = await screen.findByRole('option', { name: /^signal \(not found\)/ });
      expect(missing).toHaveTextContent('Not found in the data over this time range');
      await user.click(missing);

      expect(onChange.mock.lastCall?.[0].filters).toEqual([
        { dimension: 'platform', values: ['whatsapp', '$platform'] },
      ]);
      expect(screen.queryByTestId('filter-0-missing')).not.toBeInTheDocument();
    });

    it('takes typed text for a text search, without asking for values', async () => {
      const { onChange, datasource, user } = renderControlled({
        refId: 'A',
        version: 1,
        queryType: 'records',
        metric: 'dialogs',
        filters: [{ dimension: 'message_text', values: [] }],
      });
      await screen.findByDisplayValue('Dialogs');

      const values = filterInput(0, 'values');
      expect(values).toHaveAttribute('placeholder', 'Type text and press Enter');
      await user.click(values);
      await user.type(values, 'refund');
      await user.click(await screen.findByRole('option', { name: /^refund/ }));

      expect(onChange.mock.lastCall?.[0].filters).toEqual([{ dimension: 'message_text', values: ['refund'] }]);
      expect(datasource.getDimensionValues).not.toHaveBeenCalledWith('message_text', expect.anything());
    });

    it('says when a saved filter names a dimension the metric does not have', async () => {
      renderEditor({
        refId: 'A',
        version: 1,
        metric: 'messages_sent',
        filters: [{ dimension: 'mood', values: ['happy'] }],
      });
      await screen.findByDisplayValue('Messages sent');

      expect(await screen.findByText(/"mood" is not a dimension of this metric/)).toBeInTheDocument();
      expect(filterInput(0, 'dimension')).toHaveValue('mood');
    });

    it('drops the values when the dimension changes', async () => {
      const { onChange, user } = renderControlled({
        refId: 'A',
        version: 1,
        metric: 'messages_sent',
        filters: [{ dimension: 'platform', values: ['whatsapp'] }],
      });
      await screen.findByDisplayValue('Messages sent');

      await choose(user, filterInput(0, 'dimension'), 'Sender');

      expect(onChange.mock.lastCall?.[0].filters).toEqual([{ dimension: 'sender', values: [] }]);
    });
  });

  describe('time zone', () => {
    it("picks a zone with Grafana's picker and goes back to the dashboard's", async () => {
      const { onChange, onRunQuery, user } = renderControlled({
        refId: 'A',
        version: 1,
        metric: 'messages_sent',
        filters: [],
      });
      await screen.findByDisplayValue('Messages sent');
      const picker = screen.getByLabelText('Time zone picker');

      // One change event: typing letter by letter filters the ~600 zones each time.
      await user.click(picker);
      fireEvent.change(picker, { target: { value: 'Madrid' } });
      await user.keyboard('{Enter}');

      expect(onChange.mock.lastCall?.[0].timezone).toBe('Europe/Madrid');
      expect(onRunQuery).toHaveBeenCalledTimes(1);
      expect(screen.getByText('Europe/Madrid')).toBeInTheDocument();

      await user.click(picker);
      fireEvent.change(picker, { target: { value: 'Default' } });
      await user.keyboard('{Enter}');
      expect(onChange.mock.lastCall?.[0].timezone).toBeUndefined();
      expect(screen.getByText('Default')).toBeInTheDocument();
    });
  });

  describe('fields of each kind', () => {
    it('a transcript takes a conversation and a message limit, no filters and no group by', async () => {
      renderEditor({ refId: 'A', version: 1, queryType: 'records', metric: 'transcript', conversationId: 13 });
      await screen.findByDisplayValue('Transcript');

      expect(screen.getByLabelText('Conversation id')).toHaveValue('13');
      expect(screen.getByLabelText('Limit')).toHaveValue(1000);
      expect(screen.queryByLabelText('Group by')).not.toBeInTheDocument();
      expect(screen.queryByRole('button', { name: /add filter/i })).not.toBeInTheDocument();
      expect(screen.queryByLabelText('Interval')).not.toBeInTheDocument();
      expect(screen.queryByLabelText('Time zone picker')).not.toBeInTheDocument();
    });

    it('records take filters and a limit, no group by, interval or time zone', async () => {
      renderEditor({ refId: 'A', version: 1, queryType: 'records', metric: 'dialogs', filters: [] });
      await screen.findByDisplayValue('Dialogs');

      expect(screen.getByRole('button', { name: /add filter/i })).toBeInTheDocument();
      expect(screen.getByLabelText('Limit')).toHaveValue(1000);
      expect(screen.queryByLabelText('Group by')).not.toBeInTheDocument();
      expect(screen.queryByLabelText('Interval')).not.toBeInTheDocument();
      expect(screen.queryByLabelText('Conversation id')).not.toBeInTheDocument();
    });

    it('a snapshot takes a group by and filters, no interval, limit or time zone', async () => {
      renderEditor({ refId: 'A', version: 1, queryType: 'snapshot', metric: 'waiting_now', filters: [] });
      await screen.findByDisplayValue('Waiting now');

      expect(screen.getByLabelText('Group by')).toBeInTheDocument();
      expect(screen.queryByLabelText('Interval')).not.toBeInTheDocument();
      expect(screen.queryByLabelText('Limit')).not.toBeInTheDocument();
      expect(screen.queryByLabelText('Time zone picker')).not.toBeInTheDocument();
      expect(screen.queryByLabelText('Target (s)')).not.toBeInTheDocument();
    });

    it.each([
      ['ranking', false, 'How many rows the ranking keeps'],
      ['records', false, 'How many records the table lists'],
      ['records', true, 'How many messages of the conversation'],
    ] as const)('the limit of %s (transcript: %s) says what it counts', (kind, transcript, tooltip) => {
      expect(limitField(kind, transcript)?.tooltip).toMatch(new RegExp(`^${tooltip}`));
    });

    it('no kind but ranking and records takes a limit, and only alert rules speak of alert instances', () => {
      expect(['timeseries', 'totals', 'snapshot'].map((k) => limitField(k as QueryKind, false))).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      expect(groupByTooltip('ranking', false)).toMatch(/ranked/);
      expect(groupByTooltip('totals', true)).toMatch(/alert instance/);
      expect(kindTooltip(true)).toMatch(/records are not alertable/);
      expect(kindTooltip(false)).not.toMatch(/alert/);
    });

    it('a time series in Explore edits every field as on a dashboard', async () => {
      const { onChange, onRunQuery, user } = renderControlled(
        { refId: 'A', version: 1, queryType: 'timeseries', metric: 'top_intents', filters: [] },
        { app: CoreApp.Explore, range }
      );
      await screen.findByDisplayValue('Top intents');

      await choose(user, 'Group by', 'Intent');
      await choose(user, 'Interval', 'Week');

      expect(onChange.mock.lastCall?.[0]).toMatchObject({ groupBy: 'intent', interval: 'week' });
      expect(onRunQuery).toHaveBeenCalledTimes(2);
    });
  });

  describe('in an alert rule', () => {
    it('says records are not alertable', async () => {
      renderEditor({ refId: 'A', version: 1, queryType: 'records', metric: 'dialogs', filters: [] }, stubDataSource(), {
        app: CoreApp.UnifiedAlerting,
      });

      expect(await screen.findByText('Records are not alertable')).toBeInTheDocument();
    });

    it('switches a metric to a kind alerting evaluates, totals first', async () => {
      const { onChange, user } = renderControlled(
        { refId: 'A', version: 1, queryType: 'snapshot', metric: 'waiting_now', filters: [] },
        { app: CoreApp.UnifiedAlerting }
      );
      await screen.findByDisplayValue('Waiting now');

      const input = screen.getByLabelText<HTMLInputElement>('Metric');
      await user.type(input, 'Missed conversations', {
        initialSelectionStart: 0,
        initialSelectionEnd: input.value.length,
      });
      await user.click(await screen.findByRole('option', { name: /^Missed conversations/ }));

      expect(onChange.mock.lastCall?.[0]).toMatchObject({ metric: 'missed_conversations', queryType: 'totals' });
      const kinds = await optionsOf(user, screen.getByLabelText('Kind'));
      expect(kinds).toContainEqual(expect.stringMatching(/^Totals.*one alert instance per group/));
    });

    it('marks the metrics that only list records', async () => {
      const { user } = renderControlled(
        { refId: 'A', version: 1, queryType: 'totals', metric: 'missed_conversations', filters: [] },
        { app: CoreApp.UnifiedAlerting }
      );
      const input = await screen.findByDisplayValue('Missed conversations');

      await user.type(input, 'Dialogs', { initialSelectionStart: 0, initialSelectionEnd: 20 });
      const [dialogs] = await screen.findAllByRole('option', { name: /^Dialogs/ });
      expect(dialogs).toHaveTextContent('Not alertable (records only)');
    });
  });
});
