// "Did you mean …?" for a misspelt name: the closest known name by edit distance.

/** Levenshtein distance between `a` and `b` (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The name in `known` closest to `name`, ignoring case, if it is close enough to be a slip of the
 * keyboard (at most a third of its letters differ) or a shortening of it (`lifetime`); undefined
 * otherwise.
 */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  if (name.length > 64) return undefined; // a long name is no typo, and distance is quadratic
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (lower.length >= 4 && candidate.toLowerCase().startsWith(lower)) return candidate;
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}
