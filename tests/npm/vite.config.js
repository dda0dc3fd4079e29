import { defineConfig } from "vite";

// The app in app/, built to dist/. Module workers, so that a worker can import sentir.
export default defineConfig({
  root: "app",
  base: "./",
  build: { outDir: "../dist", emptyOutDir: true },
  worker: { format: "es" },
  logLevel: "warn",
});
