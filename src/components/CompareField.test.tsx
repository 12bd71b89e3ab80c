import { configure, screen } from '@testing-library/react';
import { UserEvent } from '@testing-library/user-event';
import { setTemplateSrv } from '@grafana/runtime';

import { DataSource } from '../datasource';
import { setUpComboboxMenus } from '../testing/combobox';
import { fakeTemplateSrv } from '../testing/fakeTemplateSrv';
import { instanceSettings, renderControlled } from '../testing/stubs';
import { ChatbotQuery } from '../types';
import { compareError } from './CompareField';

/** Types over the current metric to find another in the long list, and picks it. */
async function chooseMetric(user: UserEvent, title: string) {
  const input = screen.getByLabelText<HTMLInputElement>('Metric');
  await user.type(input, title, { initialSelectionStart: 0, initialSelectionEnd: input.value.length });
  const options = await screen.findAllByRole('option', { name: new RegExp(`^${title}`) });
  const option = options.find((o) => !o.textContent?.includes('Use custom value'));
  await user.click(option!);
}

async function choose(user: UserEvent, label: string, option: string) {
  await user.click(screen.getByLabelText(label));
  await user.click(await screen.findByRole('option', { name: new RegExp(`^${option}`) }));
}

jest.setTimeout(90000);
configure({ asyncUtilTimeout: 5000 });

describe('compare with a previous period', () => {
  let restoreMenus: () => void;
  beforeAll(() => {
    restoreMenus = setUpComboboxMenus();
  });
  afterAll(() => restoreMenus());
  beforeEach(() => {
    setTemplateSrv(fakeTemplateSrv({ offset: '1M' }));
  });

  it('appears for the kind chosen and writes the offset chosen into the query', async () => {
    const query: ChatbotQuery = { refId: 'A', version: 1, metric: 'new_users', queryType: 'timeseries', filters: [] };
    const { onChange, onRunQuery, user } = renderControlled(query);
    await screen.findByDisplayValue('New users');

    await choose(user, 'Kind', 'Totals');
    expect(screen.getByLabelText('Compare with')).toHaveValue('Off');
    expect(screen.queryByLabelText('Show')).not.toBeInTheDocument();

    await choose(user, 'Compare with', '7 days');
    expect(onChange).toHaveBeenLastCalledWith({ ...query, queryType: 'totals', limit: undefined, compare: '7d' });
    expect(onRunQuery).toHaveBeenCalled();

    // What to answer appears once there is a comparison: both periods, or for alert rules the change.
    await choose(user, 'Show', 'Change');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ compare: '7d', compareMode: 'change' }));

    await choose(user, 'Compare with', 'Off');
    expect(onChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ compare: undefined, compareMode: undefined, queryType: 'totals' })
    );
    expect(screen.queryByLabelText('Show')).not.toBeInTheDocument();
  });

  it('is not offered for records, and a compared query turned into records loses it', async () => {
    const query: ChatbotQuery = {
      refId: 'A',
      version: 1,
      metric: 'new_users',
      queryType: 'totals',
      compare: '7d',
      filters: [],
    };
    const { onChange, user } = renderControlled(query);
    await screen.findByDisplayValue('New users');
    expect(screen.getByLabelText('Compare with')).toHaveValue('7 days');

    await chooseMetric(user, 'Dialogs');
    const last: ChatbotQuery = onChange.mock.calls.at(-1)[0];
    expect(last.queryType).toBe('records');
    expect(last.compare).toBeUndefined();
    expect(screen.queryByLabelText('Compare with')).not.toBeInTheDocument();
  });

  it('takes a typed offset the backend takes, and refuses one it would not', async () => {
    const query: ChatbotQuery = { refId: 'A', version: 1, metric: 'new_users', queryType: 'totals', filters: [] };
    const { onChange, user } = renderControlled(query);
    await screen.findByDisplayValue('New users');
    const input = screen.getByLabelText<HTMLInputElement>('Compare with');

    await user.type(input, '14d');
    await user.click(await screen.findByRole('option', { name: /14d/ }));
    expect(onChange).toHaveBeenLastCalledWith({ ...query, compare: '14d' });

    onChange.mockClear();
    await user.type(input, 'last week', { initialSelectionStart: 0, initialSelectionEnd: 3 });
    await user.click(await screen.findByRole('option', { name: /last week/ }));
    expect(onChange).not.toHaveBeenCalled();
    expect(await screen.findByText(/"last week" is not an offset: use Previous period/)).toBeVisible();
  });

  it('shows a saved offset the backend refuses as an error', async () => {
    renderControlled({ refId: 'A', version: 1, metric: 'new_users', queryType: 'totals', compare: '-7d', filters: [] });
    expect(await screen.findByText(/"-7d" is not an offset/)).toBeVisible();
  });

  it('is interpolated before the query is sent', () => {
    const ds = new DataSource(instanceSettings);
    const sent = ds.applyTemplateVariables(
      { refId: 'A', metric: 'new_users', compare: '$offset', compareMode: 'change' },
      {}
    );
    expect(sent.compare).toBe('1M');
    expect(sent.compareMode).toBe('change');
  });
});

describe('compareError', () => {
  it.each([
    '',
    'previous',
    'Previous',
    '1d',
    '7d',
    '1w',
    '1M',
    '1y',
    '100000d',
    '12h',
    '90m',
    '1h30m',
    '1.5h',
    '$offset',
  ])('takes %p', (value) => {
    expect(compareError(value)).toBeUndefined();
  });

  // The backend's refusals (pkg/timebucket ParseOffset): no sign, no bare number, no unit it lacks,
  // nothing under a minute or in parts of a minute, no upper-case D or Y.
  it.each(['-7d', '7', '0d', '7 days', 'last week', '30s', '1ms', '90s', '1D', '1Y', '1.5d', '100001d', 'd'])(
    'refuses %p',
    (value) => {
      expect(compareError(value)).toMatch(/is not an offset/);
    }
  );
});
