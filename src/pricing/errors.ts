/** Bad input to the pricing core (token counts, provider filter): the message says what to fix. */
export class PricingInputError extends Error {
  override name = 'PricingInputError';
}
