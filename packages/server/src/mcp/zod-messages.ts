import { z } from 'zod';

/**
 * Zod's defaults say "Required" for a missing field; agents fix calls faster when
 * every message says what was expected and what arrived (the SDK adds "at <field>").
 */
export function installValidationMessages(): void {
  z.setErrorMap((issue, ctx) => {
    if (issue.code === z.ZodIssueCode.invalid_type) {
      if (issue.received === 'undefined') return { message: `Required: expected ${issue.expected}, received nothing` };
      return { message: `Expected ${issue.expected}, received ${issue.received}` };
    }
    if (issue.code === z.ZodIssueCode.unrecognized_keys) {
      return {
        message: `Unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}; check the tool's input schema`,
      };
    }
    return { message: ctx.defaultError };
  });
}
