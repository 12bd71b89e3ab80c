import { migrateQuery, migrateVariableQuery, VARIABLE_REF_ID } from './migrations';
import { ChatbotQuery, QUERY_MODEL_VERSION } from './types';

describe('migrateQuery', () => {
  it('upgrades a query without version to version 1 with the defaults', () => {
    const old = { refId: 'A', metric: 'messages' } as ChatbotQuery;

    expect(migrateQuery(old)).toEqual({
      refId: 'A',
      metric: 'messages',
      version: 1,
      queryType: 'timeseries',
      interval: 'auto',
      filters: [],
    });
    expect(QUERY_MODEL_VERSION).toBe(1);
  });

  it('keeps the values an old query already had', () => {
    const old: ChatbotQuery = {
      refId: 'B',
      metric: 'new_users',
      groupBy: 'platform',
      interval: 'day',
      timezone: 'Europe/Madrid',
      filters: [{ dimension: 'platform', values: ['whatsapp'] }],
    };

    expect(migrateQuery(old)).toEqual({
      ...old,
      version: 1,
      queryType: 'timeseries',
    });
  });

  it('repairs malformed filters of an old query', () => {
    const old = {
      refId: 'C',
      filters: [{ dimension: 'platform' }, null, { dimension: 'sender', values: ['bot', 3] }],
    } as unknown as ChatbotQuery;

    expect(migrateQuery(old).filters).toEqual([
      { dimension: 'platform', values: [] },
      { dimension: 'sender', values: ['bot'] },
    ]);
  });

  it('is idempotent', () => {
    const once = migrateQuery({ refId: 'A', metric: 'messages' });
    const twice = migrateQuery(once);

    expect(twice).toBe(once);
    expect(twice).toEqual(once);
  });

  it('leaves a current query untouched', () => {
    const current: ChatbotQuery = { refId: 'A', version: 1, metric: 'messages', interval: 'hour', filters: [] };

    expect(migrateQuery(current)).toBe(current);
  });
});

describe('migrateVariableQuery', () => {
  it('reads a dimension id saved as text', () => {
    expect(migrateVariableQuery('platform')).toEqual({ refId: VARIABLE_REF_ID, dimension: 'platform' });
    expect(migrateVariableQuery(' intent ')).toEqual({ refId: VARIABLE_REF_ID, dimension: 'intent' });
  });

  it("keeps the text form's order and drops the rest of its parameters", () => {
    expect(migrateVariableQuery('task?order=recent')).toEqual({
      refId: VARIABLE_REF_ID,
      dimension: 'task',
      order: 'recent',
    });
    expect(migrateVariableQuery('intent?from=0&order=bogus')).toEqual({ refId: VARIABLE_REF_ID, dimension: 'intent' });
  });

  it("keeps the text form's metric, which narrows the values to those it has data for", () => {
    expect(migrateVariableQuery('team?metric=missed_conversations&order=name')).toEqual({
      refId: VARIABLE_REF_ID,
      dimension: 'team',
      order: 'name',
      metric: 'missed_conversations',
    });
    expect(migrateVariableQuery('team?metric=')).toEqual({ refId: VARIABLE_REF_ID, dimension: 'team' });
  });

  it('returns the object form with a metric as it is', () => {
    const query = { refId: 'V', dimension: 'team', metric: 'missed_conversations' };
    expect(migrateVariableQuery(query)).toBe(query);
  });

  it('reads the text form wrapped in an object', () => {
    expect(migrateVariableQuery({ refId: 'V', query: 'task?order=recent' })).toEqual({
      refId: 'V',
      dimension: 'task',
      order: 'recent',
    });
  });

  it('returns the object form as it is', () => {
    const query = { refId: 'V', dimension: 'intent', order: 'recent' as const, ignoreTimeRange: true };
    expect(migrateVariableQuery(query)).toBe(query);
  });

  it('gives an empty dimension for anything else', () => {
    expect(migrateVariableQuery(undefined)).toEqual({ refId: VARIABLE_REF_ID, dimension: '' });
    expect(migrateVariableQuery({})).toEqual({ refId: VARIABLE_REF_ID, dimension: '' });
  });
});
