/*
 * Extends the create-plugin webpack configuration in .config/webpack/webpack.config.ts.
 *
 * This repository keeps its single plugin.json at the repository root (shared with the Go
 * backend build) instead of src/plugin.json, so this file:
 *   - lets the base configuration read the plugin id, logos and screenshots from ./plugin.json,
 *   - declares the module.ts entry explicitly (the base one globs for src/plugin.json),
 *   - copies ./plugin.json into dist/ (where %VERSION% and %TODAY% are then replaced),
 *   - copies the dashboards plugin.json includes (./dashboards/*.json) into dist/dashboards/,
 *   - keeps the Go backend binaries (dist/gpx_*) when webpack cleans dist/.
 */
import CopyWebpackPlugin from 'copy-webpack-plugin';
import fs from 'fs';
import path from 'path';
import type { Configuration } from 'webpack';
import { merge } from 'webpack-merge';

const ROOT_DIR = process.cwd();
const SOURCE_DIR = 'src';
const ROOT_PLUGIN_JSON = path.resolve(ROOT_DIR, 'plugin.json');
const SRC_PLUGIN_JSON = path.resolve(ROOT_DIR, SOURCE_DIR, 'plugin.json');

type Env = Record<string, unknown>;
type BaseConfigModule = {
  default: (env: Env) => Promise<Configuration>;
};
type CopyPattern = { from: string; to: string; force?: boolean; noErrorOnMissing?: boolean; context?: string };
type CopyFilesModule = { copyFilePatterns: CopyPattern[] };

/**
 * Loads the create-plugin modules while redirecting their reads of src/plugin.json
 * (see .config/bundler/utils.ts getPluginJson) to the root plugin.json.
 */
async function loadBaseModules(): Promise<{ base: BaseConfigModule; copyFiles: CopyFilesModule }> {
  const originalReadFileSync = fs.readFileSync;
  const redirected = ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    const target =
      typeof file === 'string' && path.resolve(file) === SRC_PLUGIN_JSON && !fs.existsSync(SRC_PLUGIN_JSON)
        ? ROOT_PLUGIN_JSON
        : file;
    return (originalReadFileSync as (...args: unknown[]) => unknown)(target, ...rest);
  }) as typeof fs.readFileSync;

  fs.readFileSync = redirected;
  try {
    const base: BaseConfigModule = await import('./.config/webpack/webpack.config.ts');
    const copyFiles: CopyFilesModule = await import('./.config/bundler/copyFiles.ts');
    return { base, copyFiles };
  } finally {
    fs.readFileSync = originalReadFileSync;
  }
}

/** Files in dist/ that webpack's output.clean must never delete (Go backend build output). */
const KEEP_IN_DIST = /(^|[\\/])(gpx_[^\\/]*|go_plugin_build_manifest)$/;

const config = async (env: Env): Promise<Configuration> => {
  const { base, copyFiles } = await loadBaseModules();
  const baseConfig = await base.default(env);

  const baseClean = baseConfig.output?.clean;
  const baseKeep = typeof baseClean === 'object' ? baseClean.keep : undefined;
  const keep = (file: string): boolean => {
    if (KEEP_IN_DIST.test(file)) {
      return true;
    }
    if (baseKeep instanceof RegExp) {
      return baseKeep.test(file);
    }
    if (typeof baseKeep === 'string') {
      return file.startsWith(baseKeep);
    }
    if (typeof baseKeep === 'function') {
      return Boolean(baseKeep(file));
    }
    return false;
  };

  // plugin.json lives at the repository root; every other pattern (README, CHANGELOG, LICENSE,
  // logos, screenshots) stays as create-plugin defines it. The "**/*.json" pattern (for nested
  // plugin.json files) may match nothing, which is fine, and must not ship test fixtures.
  const copyPatterns = copyFiles.copyFilePatterns.map((pattern) => {
    if (pattern.from === 'plugin.json') {
      return { ...pattern, from: ROOT_PLUGIN_JSON };
    }
    if (pattern.from === '**/*.json') {
      return { ...pattern, noErrorOnMissing: true, globOptions: { ignore: ['**/testing/**'] } };
    }
    return pattern;
  });

  // The dashboards plugin.json includes live at the repository root, next to plugin.json;
  // Grafana reads them from dist/dashboards/.
  copyPatterns.push({ from: 'dashboards/*.json', to: '.', context: ROOT_DIR });

  // Swap the base CopyWebpackPlugin for one with the patterns above, in the same position.
  const plugins = (baseConfig.plugins ?? []).map((plugin) =>
    plugin instanceof CopyWebpackPlugin ? new CopyWebpackPlugin({ patterns: copyPatterns }) : plugin
  );

  const merged = merge(
    { ...baseConfig, plugins },
    {
      cache: {
        type: 'filesystem',
        buildDependencies: {
          config: [path.resolve(ROOT_DIR, 'webpack.config.ts'), ROOT_PLUGIN_JSON],
        },
      },
      output: {
        clean: { keep },
      },
    }
  );

  // The base entry globs for src/**/plugin.json, which does not exist here.
  merged.entry = { module: path.resolve(ROOT_DIR, SOURCE_DIR, 'module.ts') };

  return merged;
};

export default config;
