import { CustomVariableSupport, DataQueryRequest, DataQueryResponse } from '@grafana/data';
import { from, Observable } from 'rxjs';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { DataSource } from './datasource';
import { migrateVariableQuery } from './migrations';
import { ChatbotDataSourceOptions, ChatbotQuery, ChatbotVariableQuery } from './types';

/**
 * Query variables of this data source: a dimension's values, picked in VariableQueryEditor.
 * Variables saved in the older text form (`platform`, `task?order=recent`) are read as the object
 * form, so dashboards keep working before anyone opens their variables.
 */
export class ChatbotVariableSupport extends CustomVariableSupport<
  DataSource,
  ChatbotVariableQuery,
  ChatbotQuery,
  ChatbotDataSourceOptions
> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
    this.query = this.query.bind(this);
  }

  query(request: DataQueryRequest<ChatbotVariableQuery>): Observable<DataQueryResponse> {
    const query = migrateVariableQuery(request.targets[0]);
    return from(
      this.datasource.findDimensionValues(query, request.range, request.scopedVars).then((data) => ({ data }))
    );
  }
}
