import { configure, screen, waitFor } from '@testing-library/react';
import { UserEvent } from '@testing-library/user-event';
import { AnnotationQuery, dateTime, TimeRange } from '@grafana/data';
import { setTemplateSrv } from '@grafana/runtime';

import { DataSource } from '../datasource';
import { setUpComboboxMenus } from '../testing/combobox';
import { fakeTemplateSrv } from '../testing/fakeTemplateSrv';
import { instanceSettings, renderAnnotationEditor, stubDataSource } from '../testing/stubs';
import { ChatbotQuery, DEFAULT_QUERY } from '../types';
import { AnnotationQueryEditor, toAnnotationQuery } from './AnnotationQueryEditor';

const range: TimeRange = {
  from: dateTime('2022-01-01T00:00:00Z'),
  to: dateTime('2022-02-01T00:00:00Z'),
  raw: { from: 'now-30d', to: 'now' },
};

const teams = ['Sales', 'Support', 'Tech'];

/** A data source whose values resource lists teams. */
function teamsDataSource() {
  return stubDataSource(undefined, (dimension) => Promise.resolve(dimension === 'team' ? teams : []));
}

async function choose(user: UserEvent, input: HTMLElement, option: string) {
  await user.click(input);
  await user.click(await screen.findByRole('option', { name: new RegExp(`^${option}`) }));
}

function byId(id: string): HTMLInputElement {
  const input = document.getElementById(id);
  expect(input).toBeInstanceOf(HTMLInputElement);
  return input as HTMLInputElement;
}

jest.setTimeout(90000);
configure({ asyncUtilTimeout: 5000 });

describe('annotation query editor', () => {
  let restoreMenus: () => void;
  beforeAll(() => {
    restoreMenus = setUpComboboxMenus();
  });
  afterAll(() => restoreMenus());
  beforeEach(() => {
    setTemplateSrv(fakeTemplateSrv({ team: ['Sales'] }));
  });

  it("turns a new annotation's default panel query into missed bursts, without running it", async () => {
    const { onChange, onRunQuery } = renderAnnotationEditor({ ...DEFAULT_QUERY, refId: 'Anno' } as ChatbotQuery);

    expect(await screen.findByLabelText('Event')).toHaveValue('Missed-conversation bursts');
    expect(onChange).toHaveBeenCalledWith({
      refId: 'Anno',
      version: 1,
      queryType: 'annotations',
      event: 'missed_bursts',
      filters: [],
    });
    expect(onRunQuery).not.toHaveBeenCalled();
    // The threshold shows the default it falls back to: the alert rule's 5.
    expect(screen.getByRole('spinbutton')).toHaveAttribute('placeholder', '5');
  });

  it('marks one team: filter values come from the values resource over the time range', async () => {
    const datasource = teamsDataSource();
    const { onChange, onRunQuery, user } = renderAnnotationEditor(toAnnotationQuery({ refId: 'Anno' }), datasource, {
      range,
      controlled: true,
    });
    await screen.findByLabelText('Event');

    await user.click(await screen.findByRole('button', { name: /add filter/i }));
    await choose(user, byId('chatbot-query-filter-0-dimension'), 'Team');
    await waitFor(() => expect(datasource.getDimensionValues).toHaveBeenCalledWith('team', { range }));
    await user.click(byId('chatbot-query-filter-0-values'));
    const offered = (await screen.findAllByRole('option')).map((o) => o.textContent ?? '');
    expect(offered).toEqual([...teams, '$team']);
    await user.click(await screen.findByRole('option', { name: 'Support' }));

    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'Anno',
      version: 1,
      queryType: 'annotations',
      event: 'missed_bursts',
      filters: [{ dimension: 'team', values: ['Support'] }],
    });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('sets a threshold, and runs the query when the field is left', async () => {
    const { onChange, onRunQuery, user } = renderAnnotationEditor(toAnnotationQuery({ refId: 'Anno' }), undefined, {
      controlled: true,
    });
    const threshold = await screen.findByRole('spinbutton');

    await user.type(threshold, '3');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ threshold: 3 }));
    expect(onRunQuery).not.toHaveBeenCalled();
    await user.tab();
    expect(onRunQuery).toHaveBeenCalledTimes(1);

    // Emptied, it falls back to the default.
    await user.clear(threshold);
    expect(onChange.mock.lastCall?.[0].threshold).toBeUndefined();
  });

  it('switching to peak minutes drops the threshold and the filters peaks cannot take', async () => {
    const query = toAnnotationQuery({
      refId: 'Anno',
      threshold: 3,
      filters: [
        { dimension: 'team', values: ['Sales'] },
        { dimension: '$dimension', values: ['x'] },
      ],
    });
    const { onChange, onRunQuery, user } = renderAnnotationEditor(query, undefined, { controlled: true });
    // The catalog has loaded: the team filter shows its dimension's title.
    await waitFor(() => expect(byId('chatbot-query-filter-0-dimension')).toHaveValue('Team'));

    await choose(user, screen.getByLabelText('Event'), 'Peak minute of each day');

    expect(onChange).toHaveBeenLastCalledWith({
      ...query,
      event: 'peak_minutes',
      threshold: undefined,
      filters: [{ dimension: '$dimension', values: ['x'] }],
    });
    expect(onRunQuery).toHaveBeenCalled();
    expect(screen.getByRole('spinbutton')).toHaveAttribute('placeholder', '1');
    expect(screen.getByText('Least messages/min')).toBeInTheDocument();
  });

  it('says when a saved annotation names an event it does not know', async () => {
    const { onChange } = renderAnnotationEditor({
      refId: 'Anno',
      version: 1,
      queryType: 'annotations',
      event: 'flow_changes' as ChatbotQuery['event'],
      filters: [],
    });

    expect(await screen.findByText('"flow_changes" is not an event: choose one from the list')).toBeVisible();
    expect(onChange).not.toHaveBeenCalled();
  });
});

describe('annotation support', () => {
  beforeEach(() => {
    setTemplateSrv(fakeTemplateSrv({}));
  });

  it('is on the data source, with this editor', () => {
    const ds = new DataSource(instanceSettings);

    expect(ds.annotations).toBeDefined();
    expect(ds.annotations?.QueryEditor).toBe(AnnotationQueryEditor);
  });

  it('gives a saved annotation without an annotation query one, and leaves a good one as it is', () => {
    const ds = new DataSource(instanceSettings);
    const prepare = ds.annotations!.prepareAnnotation!;
    const fresh = { name: 'Bursts', enable: true, iconColor: 'orange' } as AnnotationQuery<ChatbotQuery>;

    expect(prepare(fresh).target).toEqual({
      refId: 'Anno',
      version: 1,
      queryType: 'annotations',
      event: 'missed_bursts',
      filters: [],
    });
    const ready = prepare(fresh);
    expect(prepare(ready)).toBe(ready);
  });

  it('sends annotation queries, which have an event and no metric, and skips those without an event', () => {
    const ds = new DataSource(instanceSettings);
    const query = toAnnotationQuery({ refId: 'Anno' });

    expect(ds.filterQuery(query)).toBe(true);
    expect(ds.filterQuery({ ...query, event: undefined })).toBe(false);
    expect(ds.filterQuery({ ...query, hide: true })).toBe(false);
  });
});
