import React, { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setTemplateSrv } from '@grafana/runtime';

import { setUpComboboxMenus } from '../testing/combobox';
import { fakeTemplateSrv } from '../testing/fakeTemplateSrv';
import { stubDataSource } from '../testing/stubs';
import { ChatbotVariableQuery } from '../types';
import { VariableQueryEditor } from './VariableQueryEditor';

/** The editor as Grafana's variable page holds it: each change stored and rendered again. */
function renderVariableEditor(initial: ChatbotVariableQuery | string) {
  const datasource = stubDataSource();
  const onChange = jest.fn();
  function Page() {
    const [query, setQuery] = useState(initial as ChatbotVariableQuery);
    const change = (next: ChatbotVariableQuery) => {
      onChange(next);
      setQuery(next);
    };
    return <VariableQueryEditor datasource={datasource} query={query} onChange={change} onRunQuery={() => {}} />;
  }
  render(<Page />);
  return { onChange, user: userEvent.setup() };
}

describe('VariableQueryEditor', () => {
  let restoreMenus: () => void;
  beforeAll(() => {
    restoreMenus = setUpComboboxMenus();
  });
  afterAll(() => restoreMenus());
  beforeEach(() => {
    setTemplateSrv(fakeTemplateSrv({}));
  });

  it('opens a variable saved as text in the object form, and stores that form', async () => {
    const { onChange } = renderVariableEditor('task?order=recent');

    expect(await screen.findByDisplayValue('Task')).toBeInTheDocument();
    expect(screen.getByLabelText('Latest activity')).toBeChecked();
    expect(onChange).toHaveBeenCalledWith({ refId: 'ChatbotVariableQuery', dimension: 'task', order: 'recent' });
    // A task's values are not events: the time range does not narrow them.
    expect(screen.queryByLabelText('Dashboard time range')).not.toBeInTheDocument();
  });

  it('offers the dimensions that have values, not the text search', async () => {
    const { user } = renderVariableEditor({ refId: 'V', dimension: 'platform' });
    const input = await screen.findByDisplayValue('Platform');

    await user.click(input);
    const offered = (await screen.findAllByRole('option')).map((o) => o.textContent);
    expect(offered).toContain('Intent');
    expect(offered).not.toContain('Message text contains');
  });

  it('orders by latest activity only the dimensions that have one', async () => {
    const { onChange, user } = renderVariableEditor({ refId: 'V', dimension: 'intent' });
    await screen.findByDisplayValue('Intent');

    await user.click(screen.getByLabelText('Latest activity'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'V', dimension: 'intent', order: 'recent' });

    await user.click(screen.getByDisplayValue('Intent'));
    await user.click(await screen.findByRole('option', { name: 'Platform' }));

    // Platforms have no activity to order by: the order goes back to name, and cannot be changed.
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'V', dimension: 'platform', order: undefined });
    expect(screen.getByLabelText('Name')).toBeChecked();
    expect(screen.getByLabelText('Latest activity')).toBeDisabled();
  });

  it("lists an event dimension's values of all time when the dashboard's range is switched off", async () => {
    const { onChange, user } = renderVariableEditor({ refId: 'V', dimension: 'intent' });
    await screen.findByDisplayValue('Intent');

    const range = screen.getByLabelText('Dashboard time range');
    expect(range).toBeChecked();
    await user.click(range);

    expect(onChange).toHaveBeenLastCalledWith({ refId: 'V', dimension: 'intent', ignoreTimeRange: true });
  });

  it('narrows to the values a metric has data for, offering only the metrics that group by the dimension', async () => {
    const { onChange, user } = renderVariableEditor({ refId: 'V', dimension: '' });
    const metric = await screen.findByLabelText('With data for');
    expect(metric).toBeDisabled();

    await user.click(screen.getByLabelText('Dimension'));
    await user.click(await screen.findByRole('option', { name: 'Team' }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'V', dimension: 'team' });

    await user.click(screen.getByLabelText('With data for'));
    const offered = (await screen.findAllByRole('option')).map((o) => o.textContent);
    expect(offered).toEqual(expect.arrayContaining([expect.stringContaining('Missed conversations')]));
    expect(offered).not.toEqual(expect.arrayContaining([expect.stringContaining('Top intents')]));
    // Records have no totals to narrow by.
    expect(offered).not.toEqual(expect.arrayContaining([expect.stringContaining('Dialogs')]));
    await user.click(await screen.findByRole('option', { name: /Missed conversations/ }));

    expect(onChange).toHaveBeenLastCalledWith({ refId: 'V', dimension: 'team', metric: 'missed_conversations' });
    expect(screen.getByLabelText('With data for')).toHaveValue('Missed conversations');
  });

  it('drops a metric that cannot group by the new dimension, and always uses the range with one', async () => {
    const { onChange, user } = renderVariableEditor({
      refId: 'V',
      dimension: 'intent',
      metric: 'top_intents',
      ignoreTimeRange: true,
    });
    expect(await screen.findByDisplayValue('Top intents')).toBeInTheDocument();
    // The metric's data is that of the dashboard's range: no switch to turn it off.
    expect(screen.queryByLabelText('Dashboard time range')).not.toBeInTheDocument();

    await user.click(screen.getByDisplayValue('Intent'));
    await user.click(await screen.findByRole('option', { name: 'Language' }));
    // top_intents groups by language too: kept.
    expect(onChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ dimension: 'language', metric: 'top_intents' })
    );

    await user.click(screen.getByDisplayValue('Language'));
    await user.click(await screen.findByRole('option', { name: 'Team' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ dimension: 'team', metric: undefined }));
    expect(screen.getByLabelText('With data for')).toHaveValue('');
  });

  it('flags a saved metric that cannot group by the dimension', async () => {
    renderVariableEditor({ refId: 'V', dimension: 'team', metric: 'top_intents' });

    expect(
      await screen.findByText('"top_intents" cannot group by team: choose a metric from the list')
    ).toBeInTheDocument();
  });
});
