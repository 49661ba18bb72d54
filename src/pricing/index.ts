// The public face of the pricing core.
export type * from './types.js';
export { loadCatalog, loadOverlay, loadBaseProviders, basePackageVersion, DEFAULT_OVERLAY_PATH } from './load-catalog.js';
export type { LoadOptions } from './load-catalog.js';
export { buildCatalog } from './build-catalog.js';
export type { BaseProvider, BuildOptions } from './build-catalog.js';
export { estimateCost, validateCostInput, parseAt, OTHER_USAGE_KEYS } from './cost.js';
export type { EstimateContext } from './cost.js';
export { describeModifiers, MODIFIER_KINDS } from './modifiers.js';
export { PricingInputError } from './errors.js';
export { parseOverlay, OverlayError, OverlaySchema } from './overlay-schema.js';
export type { Overlay } from './overlay-schema.js';
export { blendedPerMTok, costTier, category } from './classify.js';
export { GUIDE_PROVIDER_IDS } from './provider-policy.js';
export { CatalogStore, findDrift, DEFAULT_DRIFT_FRACTION } from './catalog-store.js';
export type { RefreshResult, DriftItem, StoreOptions } from './catalog-store.js';
export { parseBaseData, BaseDataError } from './base-schema.js';
