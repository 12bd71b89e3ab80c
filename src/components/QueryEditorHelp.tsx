import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, QueryEditorHelpProps } from '@grafana/data';
import { Collapse, Stack, TextLink, useStyles2 } from '@grafana/ui';

import examplesFile from '../help/examples.json';
import { ChatbotQuery, QueryKind } from '../types';

interface HelpExample {
  metric: string;
  title: string;
  query: ChatbotQuery;
}

interface HelpSection {
  title: string;
  examples: HelpExample[];
}

/**
 * The examples of docs/metrics.md, one per metric, which the Go tests run on their fixture and
 * write to help/examples.json (TestMetricsDocExamplesAreTheEditorHelp).
 */
export const HELP_SECTIONS = (examplesFile as { sections: Array<{ title: string; examples: unknown[] }> })
  .sections as HelpSection[];

const KIND_NAMES: Record<QueryKind, string> = {
  timeseries: 'time series',
  totals: 'totals',
  ranking: 'ranking',
  snapshot: 'snapshot',
  records: 'records',
  annotations: 'annotations',
};

/** The query help: how a query is built, and an example of each metric that fills the editor. */
export function QueryEditorHelp({ onClickExample }: QueryEditorHelpProps<ChatbotQuery>) {
  const styles = useStyles2(getStyles);
  const [open, setOpen] = React.useState<string | undefined>(HELP_SECTIONS[0]?.title);

  return (
    <div className={styles.help}>
      <h3>How a query works</h3>
      <p>
        A query names a <b>metric</b> from the catalog and a <b>kind</b>: a time series (one value per calendar bucket
        of the <b>interval</b>, in the query&apos;s <b>time zone</b>, the dashboard&apos;s by default), totals over the
        time range, a ranking of the largest groups, a snapshot of the live state at the range&apos;s end, or records (a
        table of rows). <b>Group by</b> splits the answer into one series or row per value of a dimension;{' '}
        <b>filters</b> keep what has one of the chosen values, and take dashboard variables. No SQL is written: the
        backend builds it from the catalog.
      </p>
      <p>
        In alert rules, use totals, snapshots or a reduced time series, grouped by the dimension whose values should
        alert on their own; records are not alertable. The{' '}
        <TextLink href="https://github.com/chatbot-metrics/chatbot-metrics/blob/main/docs/metrics.md" external>
          metrics reference
        </TextLink>{' '}
        says what each metric counts.
      </p>
      <h3>Examples</h3>
      <p>Click an example to put it in the editor.</p>
      {HELP_SECTIONS.map((section) => (
        <Collapse
          key={section.title}
          label={section.title}
          isOpen={open === section.title}
          onToggle={() => setOpen(open === section.title ? undefined : section.title)}
        >
          <Stack direction="column" gap={0.5}>
            {section.examples.map((example) => (
              <button
                type="button"
                key={example.metric}
                className={styles.example}
                aria-label={`Use the example of ${example.title}`}
                onClick={() => onClickExample(example.query)}
              >
                <span>{example.title}</span>
                <span className={styles.kind}>{describe(example.query)}</span>
              </button>
            ))}
          </Stack>
        </Collapse>
      ))}
    </div>
  );
}

/** A short line of what the example asks: its kind, grouping, interval or conversation. */
function describe(query: ChatbotQuery): string {
  const parts = [KIND_NAMES[query.queryType ?? 'timeseries']];
  if (query.groupBy) {
    parts.push(`by ${query.groupBy}`);
  }
  if (query.interval) {
    parts.push(`per ${query.interval}`);
  }
  if (query.conversationId) {
    parts.push(`of conversation ${query.conversationId}`);
  }
  return parts.join(' ');
}

const getStyles = (theme: GrafanaTheme2) => ({
  help: css({
    maxWidth: 900,
  }),
  example: css({
    display: 'flex',
    justifyContent: 'space-between',
    gap: theme.spacing(2),
    width: '100%',
    padding: theme.spacing(0.5, 1),
    background: 'none',
    border: 'none',
    borderRadius: theme.shape.radius.default,
    color: theme.colors.text.link,
    textAlign: 'left',
    cursor: 'pointer',
    '&:hover': {
      background: theme.colors.action.hover,
    },
  }),
  kind: css({
    color: theme.colors.text.secondary,
    fontFamily: theme.typography.fontFamilyMonospace,
  }),
});
