import type { Catalog } from '../pricing/types.js';

/**
 * What the HTTP surface needs of the environment: the same facts the MCP
 * server's context holds (src/mcp/context.ts's ServerContext satisfies it).
 */
export interface HttpAppContext {
  version: string;
  /** DEPLOYMENT_COLOR, when the environment is one colour of a blue-green pair. */
  color: string | undefined;
  startedAt: Date;
  catalog: Pick<Catalog, 'models' | 'all_models' | 'providers' | 'data_as_of' | 'source' | 'listModels'>;
}
