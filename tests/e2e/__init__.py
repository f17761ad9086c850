"""Browser end-to-end tests of the web UI (Playwright, Debian chromium)."""
