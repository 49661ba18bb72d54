// genai-prices' match rules (equals / starts_with / contains / regex, and/or).
// We use them two ways: their `equals` strings become aliases in the name
// index (a map access), and the pattern rules are a fallback for names the
// index lacks, evaluated once per name and remembered.

export type MatchLogic =
  | { and: MatchLogic[] }
  | { or: MatchLogic[] }
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string };

const regexCache = new Map<string, RegExp | null>();

function compiled(source: string): RegExp | null {
  let re = regexCache.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(source, 'i');
    } catch {
      re = null; // a broken rule in refreshed data matches nothing rather than throwing at lookup time
    }
    regexCache.set(source, re);
  }
  return re;
}

/** Whether `name` (already lower-case) matches the rule, case-insensitively. */
export function matches(rule: MatchLogic, name: string): boolean {
  if ('or' in rule) return rule.or.some((r) => matches(r, name));
  if ('and' in rule) return rule.and.every((r) => matches(r, name));
  if ('equals' in rule) return name === rule.equals.toLowerCase();
  if ('starts_with' in rule) return name.startsWith(rule.starts_with.toLowerCase());
  if ('ends_with' in rule) return name.endsWith(rule.ends_with.toLowerCase());
  if ('contains' in rule) return name.includes(rule.contains.toLowerCase());
  if ('regex' in rule) return compiled(rule.regex)?.test(name) ?? false;
  return false;
}

/**
 * The plain names a rule accepts by equality at its top level (an `equals`, or
 * `equals` members of a top-level `or`). Names under an `and` are not plain.
 */
export function equalNames(rule: MatchLogic): string[] {
  if ('equals' in rule) return [rule.equals.toLowerCase()];
  if ('or' in rule) return rule.or.flatMap((r) => ('equals' in r || 'or' in r ? equalNames(r) : []));
  return [];
}
