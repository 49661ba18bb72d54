// Formatting is settled by the tool, not in review. Lines are long because the code is dense with named things.
export default {
  singleQuote: true,
  printWidth: 140,
  trailingComma: 'all',
};
