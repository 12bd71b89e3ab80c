// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const baseConfig = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

// The swc transform of the base config, applied to .mjs files as well: some ES-module-only
// dependencies of @grafana/data and @grafana/ui (d3-color, ...) ship only .mjs entry points.
const swcTransform = baseConfig.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...baseConfig,
  transform: {
    ...baseConfig.transform,
    '^.+\\.mjs$': swcTransform,
  },
  transformIgnorePatterns: [nodeModulesToTransform(grafanaESModules)],
  // Loading @grafana/ui takes several seconds on a busy two-core machine.
  testTimeout: 30000,
};
