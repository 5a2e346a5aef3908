// Versions of the evaluation stage's logic, part of its artifacts' identities; no imports, so workflow code can read them.
export const EVAL_SET_CODE_VERSION = 'eval-set@1';
export const EVAL_PREDICTIONS_CODE_VERSION = 'eval-predictions@1';
export const EVALUATION_CODE_VERSION = 'evaluation@1';
