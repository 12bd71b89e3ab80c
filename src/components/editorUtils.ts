import { useEffect, useMemo, useState } from 'react';
import { getTemplateSrv, isFetchError } from '@grafana/runtime';
import { ComboboxOption } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { Catalog } from '../types';

export const VARIABLES_GROUP = 'Dashboard variables';

export type CatalogState =
  { status: 'loading' } | { status: 'loaded'; catalog: Catalog } | { status: 'error'; message: string };

type LoadResult = { source: DataSource; state: CatalogState };

/** The data source's catalog, loading until it arrives. */
export function useCatalog(datasource: DataSource): CatalogState {
  const [result, setResult] = useState<LoadResult | undefined>(undefined);

  useEffect(() => {
    let active = true;
    datasource.getCatalog().then(
      (catalog) => {
        if (active) {
          setResult({ source: datasource, state: { status: 'loaded', catalog } });
        }
      },
      (error: unknown) => {
        if (active) {
          setResult({ source: datasource, state: { status: 'error', message: errorMessage(error) } });
        }
      }
    );
    return () => {
      active = false;
    };
  }, [datasource]);

  // A result for another data source instance is stale: show loading until this one answers.
  return result && result.source === datasource ? result.state : { status: 'loading' };
}

/** The dashboard's variables as options, `$name`, in a group of their own. */
export function useTemplateVariableOptions(): Array<ComboboxOption<string>> {
  return useMemo(
    () =>
      getTemplateSrv()
        .getVariables()
        .map((v) => ({ label: `$${v.name}`, value: `$${v.name}`, group: VARIABLES_GROUP })),
    []
  );
}

/** The message of a failed resource call: the backend's message when it sent one. */
export function errorMessage(error: unknown): string {
  if (isFetchError(error)) {
    const data: unknown = error.data;
    if (data && typeof data === 'object' && 'message' in data && typeof data.message === 'string' && data.message) {
      return data.message;
    }
    if (typeof data === 'string' && data) {
      return data;
    }
    return error.statusText || `Request failed with status ${error.status}`;
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

/** A template variable reference such as `$platform` or `${platform}`. */
export function isVariable(value: string): boolean {
  return value.startsWith('$');
}
