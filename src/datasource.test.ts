import { DataQueryRequest, dateTime, ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, setTemplateSrv } from '@grafana/runtime';
import { firstValueFrom, of } from 'rxjs';

import { DataSource, resolveTimeZone } from './datasource';
import { fakeTemplateSrv } from './testing/fakeTemplateSrv';
import { catalog, instanceSettings } from './testing/stubs';
import { ChatbotQuery, DEFAULT_QUERY } from './types';

function request(timezone: string, targets: ChatbotQuery[]): DataQueryRequest<ChatbotQuery> {
  const from = dateTime('2024-03-01T00:00:00Z');
  const to = dateTime('2024-03-02T00:00:00Z');
  return {
    requestId: 'r1',
    interval: '1m',
    intervalMs: 60000,
    range: { from, to, raw: { from: 'now-1d', to: 'now' } },
    scopedVars: {},
    targets,
    timezone,
    app: 'dashboard',
    startTime: 0,
  };
}

describe('DataSource', () => {
  let ds: DataSource;

  beforeEach(() => {
    setTemplateSrv(
      fakeTemplateSrv({
        platform: ['whatsapp', 'telegram', 'whatsapp'],
        single: 'web',
        metric: 'messages',
        dim: 'platform',
        interval: 'week',
        empty: [''],
      })
    );
    ds = new DataSource(instanceSettings);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('getDefaultQuery', () => {
    it('returns the shared defaults', () => {
      expect(ds.getDefaultQuery('dashboard' as never)).toEqual({
        version: 1,
        queryType: 'timeseries',
        interval: 'auto',
        filters: [],
      });
      expect(ds.getDefaultQuery('explore' as never)).toBe(DEFAULT_QUERY);
    });
  });

  describe('filterQuery', () => {
    it('keeps a visible query with a metric', () => {
      expect(ds.filterQuery({ refId: 'A', metric: 'messages' })).toBe(true);
    });

    it('drops hidden queries', () => {
      expect(ds.filterQuery({ refId: 'A', metric: 'messages', hide: true })).toBe(false);
    });

    it('drops queries without a metric', () => {
      expect(ds.filterQuery({ refId: 'A' })).toBe(false);
      expect(ds.filterQuery({ refId: 'A', metric: '' })).toBe(false);
    });

    it('drops a transcript until its conversation is known', () => {
      setTemplateSrv(fakeTemplateSrv({ conversation: '' }));
      expect(ds.filterQuery({ refId: 'A', metric: 'transcript' })).toBe(false);
      expect(ds.filterQuery({ refId: 'A', metric: 'transcript', conversationId: '$conversation' })).toBe(false);
      expect(ds.filterQuery({ refId: 'A', metric: 'transcript', conversationId: 13 })).toBe(true);
      setTemplateSrv(fakeTemplateSrv({ conversation: '13' }));
      expect(ds.filterQuery({ refId: 'A', metric: 'transcript', conversationId: '$conversation' })).toBe(true);
    });
  });

  describe('applyTemplateVariables', () => {
    it('expands a multi-value variable into several filter values and drops duplicates', () => {
      const query: ChatbotQuery = {
        refId: 'A',
        version: 1,
        metric: 'messages',
        filters: [{ dimension: 'platform', values: ['$platform', 'telegram', 'web'] }],
      };

      const result = ds.applyTemplateVariables(query, {});

      expect(result.filters).toEqual([{ dimension: 'platform', values: ['whatsapp', 'telegram', 'web'] }]);
    });

    it('drops a filter whose variable is All with the custom all value ""', () => {
      // Grafana passes a custom all value through unformatted, also in the json format.
      const templateSrv = fakeTemplateSrv({});
      setTemplateSrv({
        ...templateSrv,
        containsTemplate: (target?: string) => target === '$status',
        replace: (target?: string) => (target === '$status' ? '""' : (target ?? '')),
      });
      const query: ChatbotQuery = {
        refId: 'A',
        version: 1,
        queryType: 'records',
        metric: 'dialogs',
        filters: [{ dimension: 'status', values: ['$status'] }],
      };

      expect(ds.applyTemplateVariables(query, {}).filters).toEqual([]);
    });

    it('interpolates metric, groupBy, interval, filter dimensions and single-value variables', () => {
      const query: ChatbotQuery = {
        refId: 'A',
        version: 1,
        metric: '$metric',
        groupBy: '${dim}',
        interval: '$interval' as ChatbotQuery['interval'],
        filters: [{ dimension: '$dim', values: ['${single}'] }],
      };

      const result = ds.applyTemplateVariables(query, {});

      expect(result.metric).toBe('messages');
      expect(result.groupBy).toBe('platform');
      expect(result.interval).toBe('week');
      expect(result.filters).toEqual([{ dimension: 'platform', values: ['web'] }]);
    });

    it('uses scoped variables (e.g. repeated panels) before dashboard variables', () => {
      const scopedVars: ScopedVars = { platform: { text: 'telegram', value: 'telegram' } };
      const query: ChatbotQuery = {
        refId: 'A',
        version: 1,
        metric: 'messages',
        filters: [{ dimension: 'platform', values: ['$platform'] }],
      };

      expect(ds.applyTemplateVariables(query, scopedVars).filters).toEqual([
        { dimension: 'platform', values: ['telegram'] },
      ]);
    });

    it('drops empty values and filters left without values', () => {
      const query: ChatbotQuery = {
        refId: 'A',
        version: 1,
        metric: 'messages',
        filters: [
          { dimension: 'platform', values: ['', '$empty'] },
          { dimension: '', values: ['web'] },
          { dimension: 'sender', values: ['bot', ''] },
        ],
      };

      expect(ds.applyTemplateVariables(query, {}).filters).toEqual([{ dimension: 'sender', values: ['bot'] }]);
    });

    it("puts a variable's value in a transcript's conversation id", () => {
      setTemplateSrv(fakeTemplateSrv({ conversation: '13' }));
      const query = ds.applyTemplateVariables(
        { refId: 'A', version: 1, queryType: 'records', metric: 'transcript', conversationId: '$conversation' },
        {}
      );
      expect(query.conversationId).toBe('13');
      const numeric = ds.applyTemplateVariables(
        { refId: 'A', version: 1, queryType: 'records', metric: 'transcript', conversationId: 13 },
        {}
      );
      expect(numeric.conversationId).toBe(13);
    });

    it('keeps text that is not a variable as it is', () => {
      const query: ChatbotQuery = {
        refId: 'A',
        version: 1,
        metric: 'messages',
        filters: [{ dimension: 'platform', values: ['["not","json"]', '$unknown'] }],
      };

      expect(ds.applyTemplateVariables(query, {}).filters).toEqual([
        { dimension: 'platform', values: ['["not","json"]', '$unknown'] },
      ]);
    });

    it('migrates a query without version', () => {
      const result = ds.applyTemplateVariables({ refId: 'A', metric: 'messages' }, {});

      expect(result).toEqual({
        refId: 'A',
        metric: 'messages',
        version: 1,
        queryType: 'timeseries',
        interval: 'auto',
        filters: [],
        groupBy: undefined,
        timezone: undefined,
      });
    });
  });

  describe('query', () => {
    it('fills the request time zone into targets that have none', async () => {
      const superQuery = jest.spyOn(DataSourceWithBackend.prototype, 'query').mockReturnValue(of({ data: [] }));

      await firstValueFrom(
        ds.query(
          request('Europe/Madrid', [
            { refId: 'A', metric: 'messages' },
            { refId: 'B', metric: 'messages', timezone: 'Asia/Tokyo' },
          ])
        )
      );

      expect(superQuery).toHaveBeenCalledTimes(1);
      const sent = superQuery.mock.calls[0][0] as DataQueryRequest<ChatbotQuery>;
      expect(sent.targets.map((t) => [t.refId, t.timezone])).toEqual([
        ['A', 'Europe/Madrid'],
        ['B', 'Asia/Tokyo'],
      ]);
    });

    it('sends UTC for a utc dashboard', async () => {
      const superQuery = jest.spyOn(DataSourceWithBackend.prototype, 'query').mockReturnValue(of({ data: [] }));

      await firstValueFrom(ds.query(request('utc', [{ refId: 'A', metric: 'messages', timezone: '' }])));

      const sent = superQuery.mock.calls[0][0] as DataQueryRequest<ChatbotQuery>;
      expect(sent.targets[0].timezone).toBe('UTC');
    });

    // The time zone picker offers "Browser Time": the backend cannot know the browser's zone.
    it("sends the browser's zone for a query that picked it", async () => {
      const superQuery = jest.spyOn(DataSourceWithBackend.prototype, 'query').mockReturnValue(of({ data: [] }));

      await firstValueFrom(ds.query(request('utc', [{ refId: 'A', metric: 'messages', timezone: 'browser' }])));

      const sent = superQuery.mock.calls[0][0] as DataQueryRequest<ChatbotQuery>;
      expect(sent.targets[0].timezone).toBe(resolveTimeZone('browser'));
      expect(sent.targets[0].timezone).not.toBe('browser');
    });
  });

  describe('getDimensionValues', () => {
    it('asks the values resource over the time range, by name unless told otherwise', async () => {
      const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue({ values: ['es', 'en'] });
      const from = dateTime('2022-02-01T00:00:00Z');
      const to = dateTime('2022-03-01T00:00:00Z');

      await expect(ds.getDimensionValues('language', { range: { from, to, raw: { from, to } } })).resolves.toEqual([
        'es',
        'en',
      ]);
      expect(getResource).toHaveBeenLastCalledWith('dimensions/language/values', {
        from: '1643673600000',
        to: '1646092800000',
      });

      await ds.getDimensionValues('task', { order: 'recent' });
      expect(getResource).toHaveBeenLastCalledWith('dimensions/task/values', { order: 'recent' });
    });
  });

  describe('getCatalog', () => {
    it('asks the backend once and caches the answer', async () => {
      const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue(catalog);

      const first = ds.getCatalog();
      const second = ds.getCatalog();

      expect(second).toBe(first);
      await expect(first).resolves.toEqual(catalog);
      expect(getResource).toHaveBeenCalledTimes(1);
      expect(getResource).toHaveBeenCalledWith('catalog');
    });

    it('asks again after a failure', async () => {
      const getResource = jest
        .spyOn(ds, 'getResource')
        .mockRejectedValueOnce(new Error('database is down'))
        .mockResolvedValueOnce(catalog);

      await expect(ds.getCatalog()).rejects.toThrow('database is down');
      await expect(ds.getCatalog()).resolves.toEqual(catalog);
      expect(getResource).toHaveBeenCalledTimes(2);
    });
  });

  describe('metricFindQuery', () => {
    it("lists a dimension's values for the dashboard's time range", async () => {
      const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue({ values: ['webchat', 'whatsapp'] });
      const from = dateTime('2022-02-01T00:00:00Z');
      const to = dateTime('2022-03-01T00:00:00Z');

      const values = await ds.metricFindQuery(' $dim ', { range: { from, to, raw: { from, to } } });

      expect(values).toEqual([
        { text: 'webchat', value: 'webchat' },
        { text: 'whatsapp', value: 'whatsapp' },
      ]);
      expect(getResource).toHaveBeenCalledWith('dimensions/platform/values', {
        from: '1643673600000',
        to: '1646092800000',
      });
    });

    it('passes the parameters after a ? to the values resource', async () => {
      const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue({ values: ['Summer', 'Spring'] });
      const from = dateTime('2022-02-01T00:00:00Z');
      const to = dateTime('2022-03-01T00:00:00Z');

      const values = await ds.metricFindQuery('task?order=recent', { range: { from, to, raw: { from, to } } });

      expect(values.map((v) => v.value)).toEqual(['Summer', 'Spring']);
      expect(getResource).toHaveBeenCalledWith('dimensions/task/values', {
        order: 'recent',
        from: '1643673600000',
        to: '1646092800000',
      });
    });

    it('keeps the time range over a parameter of the same name', async () => {
      const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue({ values: [] });
      const from = dateTime('2022-02-01T00:00:00Z');
      const to = dateTime('2022-03-01T00:00:00Z');

      await ds.metricFindQuery('intent?from=0', { range: { from, to, raw: { from, to } } });

      expect(getResource).toHaveBeenCalledWith('dimensions/intent/values', {
        from: '1643673600000',
        to: '1646092800000',
      });
    });

    it('answers nothing for parameters without a dimension', async () => {
      const getResource = jest.spyOn(ds, 'getResource');
      await expect(ds.metricFindQuery('?order=recent')).resolves.toEqual([]);
      expect(getResource).not.toHaveBeenCalled();
    });

    it('answers nothing for an empty query', async () => {
      const getResource = jest.spyOn(ds, 'getResource');
      await expect(ds.metricFindQuery('')).resolves.toEqual([]);
      expect(getResource).not.toHaveBeenCalled();
    });
  });
});

describe('resolveTimeZone', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("resolves 'browser' to the browser's IANA zone", () => {
    jest
      .spyOn(Intl, 'DateTimeFormat')
      .mockImplementation(
        () => ({ resolvedOptions: () => ({ timeZone: 'America/New_York' }) }) as unknown as Intl.DateTimeFormat
      );

    expect(resolveTimeZone('browser')).toBe('America/New_York');
  });

  it("uses the real browser zone for 'browser'", () => {
    expect(resolveTimeZone('browser')).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it("turns 'utc' into UTC", () => {
    expect(resolveTimeZone('utc')).toBe('UTC');
  });

  it('keeps an IANA name', () => {
    expect(resolveTimeZone('Europe/Madrid')).toBe('Europe/Madrid');
  });

  it('turns an empty or missing zone into UTC', () => {
    expect(resolveTimeZone('')).toBe('UTC');
    expect(resolveTimeZone(undefined)).toBe('UTC');
  });
});
