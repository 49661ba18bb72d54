import { baselineSection } from './baseline.js';
import { coldStartSection } from './cold-start.js';
import { httpSection } from './http.js';
import { stdioSection } from './stdio.js';
import { routerSection } from './router.js';
import type { BenchSection } from './types.js';

/**
 * Every section of `bench`, in the order they run. A section is a file exporting
 * a BenchSection; add it here (the deploy helper adds the router section).
 */
export const sections: BenchSection[] = [baselineSection, coldStartSection, stdioSection, httpSection, routerSection];
