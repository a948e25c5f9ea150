/** The package version, as spans and user agents report it (test/internal/operation.test.ts keeps it equal to package.json). */
export const PACKAGE_VERSION = "0.1.0";
