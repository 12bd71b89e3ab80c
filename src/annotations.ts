import { AnnotationQuery, AnnotationSupport } from '@grafana/data';

import { AnnotationQueryEditor, toAnnotationQuery } from './components/AnnotationQueryEditor';
import { ChatbotQuery } from './types';

/**
 * Annotation support for dashboards. The backend answers an annotation query with one frame whose
 * fields are named time, timeEnd, title, text and tags, which Grafana's standard processing turns
 * into events (public/app/features/annotations/standardAnnotationSupport.ts in grafana/grafana),
 * so only the editor and the stored query's shape are this plugin's own: a saved annotation whose
 * target is not yet an annotation query (a new one holds the default panel query) gets one.
 */
export const annotationSupport: AnnotationSupport<ChatbotQuery> = {
  QueryEditor: AnnotationQueryEditor,
  prepareAnnotation(json: AnnotationQuery<ChatbotQuery>): AnnotationQuery<ChatbotQuery> {
    const target = toAnnotationQuery(json.target);
    return target === json.target ? json : { ...json, target };
  },
  getDefaultQuery: () => toAnnotationQuery(undefined),
};
