/**
 * Finds the gateway's base URL at run time: `config.json` next to the app (which a container
 * rewrites at start), else `VITE_GATEWAY_URL` from the build, else `http://localhost:8080`.
 */

export const DEFAULT_GATEWAY_URL = 'http://localhost:8080';

export interface GatewayConfig {
  readonly gatewayUrl: string;
  /** Where the URL came from, shown on the Gateway tab to explain a surprising value. */
  readonly source: 'config.json' | 'VITE_GATEWAY_URL' | 'default';
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.trim() === '') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * @param baseUrl the app's base path (`import.meta.env.BASE_URL`), so a Workbench served under a
 *   sub-path still finds its own `config.json`.
 * @param buildTimeUrl `import.meta.env.VITE_GATEWAY_URL`, if any.
 */
export async function loadGatewayConfig(
  baseUrl: string,
  buildTimeUrl: string | undefined,
): Promise<GatewayConfig> {
  const configUrl = `${baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`}config.json`;
  try {
    const response = await fetch(configUrl, { cache: 'no-store' });
    if (response.ok) {
      const body = (await response.json()) as unknown;
      const gatewayUrl =
        typeof body === 'object' && body !== null
          ? (body as Record<string, unknown>).gatewayUrl
          : undefined;
      if (isHttpUrl(gatewayUrl)) return { gatewayUrl, source: 'config.json' };
      console.warn(`${configUrl} has no valid "gatewayUrl"; falling back.`);
    }
  } catch (error) {
    // A missing or malformed config.json is not fatal: the build-time or default URL still works.
    console.warn(`Could not read ${configUrl}; falling back.`, error);
  }
  if (isHttpUrl(buildTimeUrl)) return { gatewayUrl: buildTimeUrl, source: 'VITE_GATEWAY_URL' };
  return { gatewayUrl: DEFAULT_GATEWAY_URL, source: 'default' };
}
