import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { QueryEditorHelp } from './components/QueryEditorHelp';
import { DataSource } from './datasource';
import { ChatbotDataSourceOptions, ChatbotQuery, ChatbotSecureJsonData } from './types';

export const plugin = new DataSourcePlugin<DataSource, ChatbotQuery, ChatbotDataSourceOptions, ChatbotSecureJsonData>(
  DataSource
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor)
  .setQueryEditorHelp(QueryEditorHelp);
