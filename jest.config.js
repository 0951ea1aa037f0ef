/** Two layers: `unit` (mocks and pure functions, no Docker) and `live` (real Docker hosts from tests/live/lab). */
const tsJest = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] };
module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform: tsJest,
      testMatch: ["<rootDir>/tests/unit/**/*.test.ts", "<rootDir>/tests/live/deployer/**/*.test.ts"],
      testPathIgnorePatterns: ["\\.live\\.test\\.ts$"],
    },
    {
      displayName: "live",
      testEnvironment: "<rootDir>/tests/live/liveEnvironment.js",
      transform: tsJest,
      testMatch: ["<rootDir>/tests/live/**/*.live.test.ts"],
    },
  ],
};
