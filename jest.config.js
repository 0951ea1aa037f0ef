/** Two layers: `unit` (mocks and pure functions, no Docker) and `live` (real Docker hosts from tests/live/lab). */
const tsJest = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] };
// The sources first: a stray compiled .js beside a .ts (an in-place tsc run) must never be what a test loads.
const moduleFileExtensions = ["ts", "js", "json", "node"];
module.exports = {
  projects: [
    {
      displayName: "unit",
      moduleFileExtensions,
      testEnvironment: "node",
      transform: tsJest,
      testMatch: ["<rootDir>/tests/unit/**/*.test.ts"],
      testPathIgnorePatterns: ["\\.live\\.test\\.ts$"],
    },
    {
      displayName: "live",
      moduleFileExtensions,
      testEnvironment: "<rootDir>/tests/live/liveEnvironment.js",
      transform: tsJest,
      testMatch: ["<rootDir>/tests/live/**/*.live.test.ts"],
    },
  ],
};
