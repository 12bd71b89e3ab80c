import { ScopedVars } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';

type VariableValues = Record<string, string | string[]>;

const VARIABLE = /\$(\w+)|\$\{(\w+)(?::(\w+))?\}/g;

/**
 * A small stand-in for Grafana's template service: `$name` and `${name}` are replaced by the
 * variable's current value (scoped variables first). Multi-value variables follow Grafana's
 * formats: 'json' gives a JSON array, the default gives `{a,b}`.
 */
export function fakeTemplateSrv(variables: VariableValues): TemplateSrv {
  const lookup = (name: string, scopedVars?: ScopedVars): string | string[] | undefined => {
    const scoped = scopedVars?.[name];
    if (scoped) {
      return scoped.value as string | string[];
    }
    return variables[name];
  };

  const format = (value: string | string[], fmt?: string): string => {
    if (fmt === 'json') {
      return JSON.stringify(value);
    }
    if (Array.isArray(value)) {
      return value.length === 1 ? value[0] : `{${value.join(',')}}`;
    }
    return value;
  };

  return {
    getVariables: () =>
      Object.keys(variables).map((name) => ({ name, type: 'custom' }) as ReturnType<TemplateSrv['getVariables']>[0]),
    containsTemplate: (target?: string) => {
      if (!target) {
        return false;
      }
      return Array.from(target.matchAll(VARIABLE)).some((m) => lookup(m[1] ?? m[2]) !== undefined);
    },
    replace: (target, scopedVars, fmt) =>
      (target ?? '').replace(VARIABLE, (match, plain?: string, braced?: string) => {
        const value = lookup(plain ?? braced ?? '', scopedVars);
        return value === undefined ? match : format(value, typeof fmt === 'string' ? fmt : undefined);
      }),
    updateTimeRange: () => {},
  };
}
