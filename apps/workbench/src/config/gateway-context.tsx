/**
 * Makes the configured gateway client available to every component, so that none of them
 * needs to know where the URL came from.
 */
import { createContext, type ReactNode, useContext } from 'react';
import type { GatewayClient } from '../api/gateway-client.js';
import type { GatewayConfig } from './load-gateway-config.js';

interface GatewayContextValue {
  readonly client: GatewayClient;
  readonly config: GatewayConfig;
}

const GatewayContext = createContext<GatewayContextValue | null>(null);

export function GatewayProvider(props: GatewayContextValue & { children: ReactNode }) {
  const { client, config, children } = props;
  return <GatewayContext.Provider value={{ client, config }}>{children}</GatewayContext.Provider>;
}

export function useGateway(): GatewayContextValue {
  const value = useContext(GatewayContext);
  if (!value) throw new Error('useGateway must be used inside <GatewayProvider>');
  return value;
}
