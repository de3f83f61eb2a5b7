import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'gateway-contract', include: ['tests/**/*.test.ts'] },
});
