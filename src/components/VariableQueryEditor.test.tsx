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
});
