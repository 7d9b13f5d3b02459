'use strict';
// Tests run on the compiled output (npm test builds first).
module.exports = {
  spec: ['packages/*/dist/test/**/*.test.js', 'examples/*/dist/test/**/*.test.js', 'test/dist/**/*.test.js'],
  reporter: './tools/summary-reporter.cjs',
  exit: true,
  timeout: 20000,
  'forbid-only': Boolean(process.env.CI),
};
