import { screen } from '@testing-library/react';
import { setTemplateSrv } from '@grafana/runtime';

import { DataSource } from './datasource';
import { migrateQuery } from './migrations';
import { fakeTemplateSrv } from './testing/fakeTemplateSrv';
import { NO_UNKNOWN_FIELDS, NO_UNSENT_FIELDS, QUERY_FIXTURES, QueryFixture } from './testing/queryFixtures';
import { catalog, instanceSettings, renderAnnotationEditor, renderEditor } from './testing/stubs';
import { ANNOTATION_EVENTS, QUERY_MODEL_VERSION, QueryKind } from './types';

// The stored queries the backend runs in pkg/plugin/query_fixtures_test.go.
const KIND_LABELS: Record<QueryKind, string> = {
  timeseries: 'Time series',
  totals: 'Totals',
  ranking: 'Ranking',
  snapshot: 'Snapshot',
  records: 'Records',
  annotations: 'Annotations',
};

describe('query fixtures', () => {
  beforeEach(() => {
    setTemplateSrv(fakeTemplateSrv({}));
  });

  it('have only ChatbotQuery fields and use all of them (checked by tsc)', () => {
    expect(NO_UNKNOWN_FIELDS).toBe(true);
    expect(NO_UNSENT_FIELDS).toBe(true);
    expect(QUERY_FIXTURES.map((f) => f.status)).toEqual(expect.arrayContaining([200, 400]));
  });

  describe.each(QUERY_FIXTURES)('$name', (fixture: QueryFixture) => {
    it('is at the current model version, which the migration leaves as it is', () => {
      expect(fixture.query.version).toBe(QUERY_MODEL_VERSION);
      expect(migrateQuery(fixture.query)).toBe(fixture.query);
    });

    it('reaches the backend as stored', () => {
      const ds = new DataSource(instanceSettings);
      expect(ds.applyTemplateVariables(fixture.query, {})).toEqual(fixture.query);
    });

    if (fixture.query.queryType === 'annotations') {
      // Annotation queries open in the annotation editor, whatever the backend makes of them.
      it('opens in the annotation editor with its event, unchanged', async () => {
        const { onChange } = renderAnnotationEditor(fixture.query);
        const event = ANNOTATION_EVENTS.find((e) => e.id === fixture.query.event);
        expect(event).toBeDefined();

        expect(await screen.findByLabelText('Event')).toHaveValue(event!.title);
        expect(screen.getByRole('spinbutton')).toHaveValue(fixture.query.threshold ?? null);
        expect(onChange).not.toHaveBeenCalled();
      });
    } else if (fixture.status === 200) {
      it("opens in the query editor with its metric's title and its kind, unchanged", async () => {
        const { onChange } = renderEditor(fixture.query);
        const metric = catalog.metrics.find((m) => m.id === fixture.query.metric);
        expect(metric).toBeDefined();

        expect(await screen.findByDisplayValue(metric!.title)).toBeInTheDocument();
        expect(screen.getByLabelText('Metric')).toHaveValue(metric!.title);
        expect(screen.getByLabelText('Kind')).toHaveValue(KIND_LABELS[fixture.query.queryType ?? 'timeseries']);
        expect(onChange).not.toHaveBeenCalled();
      });
    } else {
      // A dashboard saved with a query the backend refuses must still open, so it can be fixed.
      it('opens in the query editor', async () => {
        const { onChange } = renderEditor(fixture.query);

        expect(await screen.findByLabelText('Kind')).toBeInTheDocument();
        expect(onChange).not.toHaveBeenCalled();
      });
    }
  });

  // Dashboards usually put a multi-value variable where the fixtures list values: the backend
  // must receive the same query the fixture has.
  it.each(QUERY_FIXTURES.filter((f) => f.query.filters?.some((filter) => filter.values.length > 1)))(
    '$name: a multi-value variable expands to the filter values',
    (fixture: QueryFixture) => {
      const variables: Record<string, string[]> = {};
      const filters = (fixture.query.filters ?? []).map((filter, i) => {
        variables[`values${i}`] = filter.values;
        return { ...filter, values: [`$values${i}`] };
      });
      setTemplateSrv(fakeTemplateSrv(variables));
      const ds = new DataSource(instanceSettings);

      expect(ds.applyTemplateVariables({ ...fixture.query, filters }, {})).toEqual(fixture.query);
    }
  );
});
