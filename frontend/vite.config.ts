import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

const API = process.env.IG_API ?? "http://127.0.0.1:8000";

// The production build is committed into the Python package (src/intelgraph/web/app) and
// must be byte-for-byte reproducible: no source maps, no timestamps, content hashes only.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: process.env.IG_WEB_OUT ?? "../src/intelgraph/web/app",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    chunkSizeWarningLimit: 1000,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      "/graphql": { target: API, ws: true },
      "/exports": API,
      "/ui": API,
      "/ledger": API,
      "/.well-known": API,
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
  },
});
