// Runs axe-core's WCAG 2.1 A/AA rules (colour contrast included) inside the page under test and
// returns the violations a person would be blocked by (impact serious or critical), formatted so
// a failing test names each rule, what it asks for and the elements that break it.
import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** One rule broken on the page, reduced to what a person fixing it needs. */
export interface AccessibilityViolation {
  readonly id: string;
  readonly impact: string;
  readonly help: string;
  readonly helpUrl: string;
  readonly targets: readonly string[];
}

const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const blockingImpacts = new Set(['serious', 'critical']);

/**
 * Audits the page as it is now (or only `include`, a CSS selector) and returns the serious and
 * critical violations. axe's source is injected on first use in each document, since navigation
 * drops it.
 */
export async function auditAccessibility(
  page: Page,
  include?: string,
): Promise<AccessibilityViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(
    async ({ tags, context }) => {
      const result = await window.axe.run(context ? { include: [context] } : document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact ?? 'unknown',
        help: v.help,
        helpUrl: v.helpUrl,
        targets: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`),
      }));
    },
    { tags: wcagTags, context: include ?? null },
  );
  return violations.filter((v) => blockingImpacts.has(v.impact));
}

/** A readable list of violations for an assertion message; empty when there are none. */
export function describeViolations(
  where: string,
  violations: readonly AccessibilityViolation[],
): string {
  if (violations.length === 0) return '';
  const lines = violations.flatMap((v) => [
    `${where}: ${v.id} (${v.impact}) — ${v.help} <${v.helpUrl}>`,
    ...v.targets.map((t) => `    ${t.replace(/\n/g, ' ')}`),
  ]);
  return lines.join('\n');
}

declare global {
  interface Window {
    axe: typeof axe;
  }
}
