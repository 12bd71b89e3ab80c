import { DataQueryRequest, dateTime } from '@grafana/data';
import { setTemplateSrv } from '@grafana/runtime';
import { firstValueFrom } from 'rxjs';

import { DataSource } from './datasource';
import { fakeTemplateSrv } from './testing/fakeTemplateSrv';
import { instanceSettings } from './testing/stubs';
import { ChatbotVariableQuery } from './types';
import { ChatbotVariableSupport } from './variables';

const from = dateTime('2022-02-01T00:00:00Z');
const to = dateTime('2022-03-01T00:00:00Z');

function request(target: ChatbotVariableQuery | string): DataQueryRequest<ChatbotVariableQuery> {
  return {
    requestId: 'v1',
    interval: '1m',
    intervalMs: 60000,
    range: { from, to, raw: { from: 'now-30d', to: 'now' } },
    scopedVars: {},
    // Dashboards saved before the variable editor hold the query as text.
    targets: [target as ChatbotVariableQuery],
    timezone: 'utc',
    app: 'dashboard',
    startTime: 0,
  };
}

describe('ChatbotVariableSupport', () => {
  let ds: DataSource;
  let getResource: jest.SpyInstance;

  beforeEach(() => {
    setTemplateSrv(fakeTemplateSrv({ dim: 'intent' }));
    ds = new DataSource(instanceSettings);
    getResource = jest.spyOn(ds, 'getResource').mockResolvedValue({ values: ['billing', 'refund'] });
  });

  afterEach(() => jest.restoreAllMocks());

  it('is the data source variable support', () => {
    expect(ds.variables).toBeInstanceOf(ChatbotVariableSupport);
  });

  it("lists a dimension's values over the dashboard's time range", async () => {
    const support = ds.variables as ChatbotVariableSupport;
    const response = await firstValueFrom(support.query(request({ refId: 'V', dimension: '$dim' })));

    expect(response.data).toEqual([
      { text: 'billing', value: 'billing' },
      { text: 'refund', value: 'refund' },
    ]);
    expect(getResource).toHaveBeenCalledWith('dimensions/intent/values', {
      from: '1643673600000',
      to: '1646092800000',
    });
  });

  it('orders by latest activity and ignores the time range when asked', async () => {
    const support = ds.variables as ChatbotVariableSupport;
    await firstValueFrom(
      support.query(request({ refId: 'V', dimension: 'task', order: 'recent', ignoreTimeRange: true }))
    );

    expect(getResource).toHaveBeenCalledWith('dimensions/task/values', { order: 'recent' });
  });

  it('runs a variable saved as text as before', async () => {
    const support = ds.variables as ChatbotVariableSupport;
    await firstValueFrom(support.query(request('task?order=recent')));

    expect(getResource).toHaveBeenCalledWith('dimensions/task/values', {
      order: 'recent',
      from: '1643673600000',
      to: '1646092800000',
    });
  });

  it("lists only the values a metric has data for, always over the dashboard's time range", async () => {
    setTemplateSrv(fakeTemplateSrv({ dim: 'intent', missed: 'missed_conversations' }));
    const support = ds.variables as ChatbotVariableSupport;
    await firstValueFrom(
      support.query(request({ refId: 'V', dimension: 'team', metric: '$missed', ignoreTimeRange: true }))
    );

    expect(getResource).toHaveBeenCalledWith('dimensions/team/values', {
      metric: 'missed_conversations',
      from: '1643673600000',
      to: '1646092800000',
    });
  });
});
