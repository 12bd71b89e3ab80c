import { AdHocVariableFilter, DataQueryRequest, dateTime } from '@grafana/data';
import { DataSourceWithBackend, setTemplateSrv } from '@grafana/runtime';
import { firstValueFrom, of } from 'rxjs';

import { DataSource } from './datasource';
import { fakeTemplateSrv } from './testing/fakeTemplateSrv';
import { instanceSettings } from './testing/stubs';
import { ChatbotQuery } from './types';

const range = {
  from: dateTime('2022-01-01T00:00:00Z'),
  to: dateTime('2022-02-01T00:00:00Z'),
  raw: { from: 'now-30d', to: 'now' },
};

const query: ChatbotQuery = {
  refId: 'A',
  version: 1,
  queryType: 'totals',
  metric: 'messages_received',
  filters: [{ dimension: 'inbox', values: ['WhatsApp'] }],
};

describe('ad hoc filters', () => {
  let ds: DataSource;

  beforeEach(() => {
    setTemplateSrv(fakeTemplateSrv({ metric: 'top_intents', team: 'Sales' }));
    ds = new DataSource(instanceSettings);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('offers the dimensions of the tag-keys resource, for the metrics of the dashboard’s queries', async () => {
    const keys = [
      { text: 'Platform', value: 'platform' },
      { text: 'Intent', value: 'intent' },
    ];
    const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue({ keys });

    const got = await ds.getTagKeys({
      filters: [],
      timeRange: range,
      queries: [query, { ...query, refId: 'B', metric: '$metric' }, { refId: 'C' }, { ...query, refId: 'D' }],
    });

    expect(got).toEqual(keys);
    // Each metric once, a variable replaced; a query without a metric adds none.
    expect(getResource).toHaveBeenCalledWith('tag-keys', { metric: ['messages_received', 'top_intents'] });

    await ds.getTagKeys();
    expect(getResource).toHaveBeenLastCalledWith('tag-keys', undefined);
  });

  it("lists a key's values from the values resource over the dashboard's time range", async () => {
    const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue({ values: ['Sales', 'Support'] });

    const got = await ds.getTagValues({ key: 'team', filters: [], timeRange: range });

    expect(got).toEqual([{ text: 'Sales' }, { text: 'Support' }]);
    expect(getResource).toHaveBeenCalledWith('dimensions/team/values', {
      from: String(range.from.valueOf()),
      to: String(range.to.valueOf()),
    });
  });

  it('carries the filters Grafana passes to applyTemplateVariables into the query, values as given', () => {
    const filters: AdHocVariableFilter[] = [
      { key: 'team', operator: '!=', value: '$team', origin: 'dashboard' },
      { key: 'platform', operator: '=|', value: 'whatsapp', values: ['whatsapp', 'webchat'] },
    ];

    const applied = ds.applyTemplateVariables(query, {}, filters);

    expect(applied.adhocFilters).toEqual([
      // A picked value is the data's: "$team" is not a variable here.
      { key: 'team', operator: '!=', value: '$team' },
      { key: 'platform', operator: '=|', value: 'whatsapp', values: ['whatsapp', 'webchat'] },
    ]);
    expect(applied.filters).toEqual(query.filters);
    // Without filters the query goes as stored.
    expect(ds.applyTemplateVariables(query, {}, []).adhocFilters).toBeUndefined();
    expect(ds.applyTemplateVariables(query, {}).adhocFilters).toBeUndefined();
  });

  it("keeps the dashboard request's filters for the backend's applyTemplateVariables", async () => {
    const sent = jest.spyOn(DataSourceWithBackend.prototype, 'query').mockReturnValue(of({ data: [] }));
    const request = {
      requestId: 'r1',
      interval: '1m',
      intervalMs: 60000,
      range,
      scopedVars: {},
      targets: [query],
      timezone: 'utc',
      app: 'dashboard',
      startTime: 0,
      filters: [{ key: 'team', operator: '=', value: 'Sales' }],
    } as DataQueryRequest<ChatbotQuery>;

    await firstValueFrom(ds.query(request));

    // DataSourceWithBackend.query applies the template variables with request.filters.
    const forwarded = sent.mock.calls[0][0] as DataQueryRequest<ChatbotQuery>;
    expect(forwarded.filters).toEqual(request.filters);
    expect(ds.applyTemplateVariables(forwarded.targets[0], {}, forwarded.filters).adhocFilters).toEqual([
      { key: 'team', operator: '=', value: 'Sales' },
    ]);
  });
});
