// Counters live in linear memory as f64 (exact to 2^53) so JS reads them all with one view.
import { STATS } from "./layout";

export function bump(index: usize): void {
  const a = STATS + (index << 3);
  store<f64>(a, load<f64>(a) + 1);
}
