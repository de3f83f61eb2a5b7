/**
 * Where the Workbench's own server forwards the gateway's API: every path under `/api` on the
 * Workbench's origin goes to the gateway with the prefix removed (`/api/governance/audit` is
 * the gateway's `/governance/audit`). A prefix rather than the gateway's own paths, because the
 * Workbench's pages live under `/governance` too: `/governance/audit/{id}` is both a page and
 * an API route, and only a prefix tells them apart without guessing from `Accept`.
 */
export const GATEWAY_API_PREFIX = '/api';
