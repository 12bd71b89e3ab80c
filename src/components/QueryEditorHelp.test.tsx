import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { catalog } from '../testing/stubs';
import { HELP_SECTIONS, QueryEditorHelp } from './QueryEditorHelp';

describe('QueryEditorHelp', () => {
  it('has an example of every catalog metric, by section', () => {
    const metrics = HELP_SECTIONS.flatMap((s) => s.examples.map((e) => e.metric));
    expect(metrics).toEqual(catalog.metrics.map((m) => m.id));
    expect(HELP_SECTIONS.map((s) => s.title)).toEqual([
      'Usage',
      'Chatbot',
      'Live state',
      'Contact center',
      'Campaign and cost',
      'Records',
    ]);
  });

  it('explains a query and puts a clicked example in the editor', async () => {
    const user = userEvent.setup();
    const onClickExample = jest.fn();
    render(<QueryEditorHelp datasource={{} as never} query={{ refId: 'A' }} onClickExample={onClickExample} />);

    expect(screen.getByText('How a query works')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Use the example of Active users' }));
    expect(onClickExample).toHaveBeenCalledWith({
      refId: 'A',
      version: 1,
      queryType: 'timeseries',
      metric: 'active_users',
      interval: 'day',
    });

    // Another section opens on click.
    await user.click(screen.getByText('Contact center'));
    await user.click(screen.getByRole('button', { name: 'Use the example of Service level' }));
    expect(onClickExample).toHaveBeenLastCalledWith(expect.objectContaining({ metric: 'service_level' }));
  });
});
