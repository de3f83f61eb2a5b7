/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Build-time fallback for the gateway URL when `config.json` has none. */
  readonly VITE_GATEWAY_URL?: string;
}
