// Types of core-interface.mjs, for test/interface.test.ts.
export const LAYOUT: string;
export const OUTPUT: string;
export function generate(layoutSource: string): string;
