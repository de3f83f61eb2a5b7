/**
 * Finds the gateway's base URL at run time. By default it is the Workbench's own origin under
 * `/api` (`gateway-api-path.ts`), which the Workbench's server forwards to the gateway: the same
 * origin whatever host name the browser used, so no CORS and no URL to configure. A Workbench
 * deployed apart from any proxy can still name a gateway elsewhere: `gatewayUrl` in
 * `config.json` next to the app (a container may rewrite it at start), else `VITE_GATEWAY_URL`
 * from the build; that gateway must then allow the Workbench's origin (CORS).
 */
import { GATEWAY_API_PREFIX } from './gateway-api-path.js';

export interface GatewayConfig {
  readonly gatewayUrl: string;
  /** Where the URL came from, shown on the Gateway tab to explain a surprising value. */
  readonly source: 'config.json' | 'VITE_GATEWAY_URL' | 'same origin';
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

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

/**
 * @param baseUrl the app's base path (`import.meta.env.BASE_URL`), so a Workbench served under a
 *   sub-path still finds its own `config.json` and its `api/`.
 * @param buildTimeUrl `import.meta.env.VITE_GATEWAY_URL`, if any.
 * @param origin the page's origin (`location.origin`).
 */
export async function loadGatewayConfig(
  baseUrl: string,
  buildTimeUrl: string | undefined,
  origin: string = window.location.origin,
): Promise<GatewayConfig> {
  const configUrl = `${withSlash(baseUrl)}config.json`;
  try {
    const response = await fetch(configUrl, { cache: 'no-store' });
    if (response.ok) {
      const body = (await response.json()) as unknown;
      const gatewayUrl =
        typeof body === 'object' && body !== null
          ? (body as Record<string, unknown>).gatewayUrl
          : undefined;
      if (isHttpUrl(gatewayUrl)) return { gatewayUrl, source: 'config.json' };
      // Absent or null is the ordinary case: the gateway is on this origin.
      if (gatewayUrl !== undefined && gatewayUrl !== null) {
        console.warn(`${configUrl} has no valid "gatewayUrl"; using this origin.`);
      }
    }
  } catch (error) {
    // A missing or malformed config.json is not fatal: the same-origin API still works.
    console.warn(`Could not read ${configUrl}; using this origin.`, error);
  }
  if (isHttpUrl(buildTimeUrl)) return { gatewayUrl: buildTimeUrl, source: 'VITE_GATEWAY_URL' };
  const sameOrigin = new URL(`${withSlash(baseUrl).slice(0, -1)}${GATEWAY_API_PREFIX}`, origin);
  return { gatewayUrl: sameOrigin.href, source: 'same origin' };
}
