/**
 * Checks a control (catalogue.ts) on a synthesized template: which resources it meant, and that
 * its setting holds on each. `expectControl` is what a test calls to assert a control; the
 * matrix finds those calls (asserting-tests.ts).
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { CONTROLS, type CfnResources, type Control } from './catalogue.js';

export interface ControlResult {
  /** Logical IDs of the resources the control meant. */
  readonly matched: readonly string[];
  /** Those where the setting does not hold. */
  readonly failing: readonly string[];
}

export function controlById(id: string): Control {
  const control = CONTROLS.find((c) => c.id === id);
  if (!control) throw new Error(`no control ${JSON.stringify(id)} in test/infra/controls/catalogue.ts`);
  return control;
}

export function resourcesOfTemplate(template: Template): CfnResources {
  return (template.toJSON() as { Resources: CfnResources }).Resources;
}

export function evaluateControl(control: Control, resources: CfnResources): ControlResult {
  const matched: string[] = [];
  const failing: string[] = [];
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== control.type || (control.select && !control.select(r, id, resources))) continue;
    matched.push(id);
    if (!control.holds(r, id, resources)) failing.push(id);
  }
  return { matched: matched.sort(), failing: failing.sort() };
}

/** Asserts the control on this template: it means at least one resource, and holds on every one. */
export function expectControl(template: Template, id: string): void {
  const control = controlById(id);
  const result = evaluateControl(control, resourcesOfTemplate(template));
  if (result.matched.length === 0) throw new Error(`control ${id}: no ${control.type} in the template`);
  if (result.failing.length > 0)
    throw new Error(`control ${id} (${control.setting}) does not hold on ${result.failing.join(', ')}: ${control.title}`);
}
