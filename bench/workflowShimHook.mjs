// A Node module resolve hook (registered by bench/directWorkflowRuntime.ts with module.register): imports of
// '@temporalio/workflow' made by files in the workflows folder get the bench's shim instead; every other importer
// still gets the real SDK. Plain JavaScript because hooks run on Node's loader thread, before tsx could help.

let workflowsDirUrl = '';
let shimUrl = '';

/** @param {{ workflowsDirUrl: string; shimUrl: string }} data */
export function initialize(data) {
  workflowsDirUrl = data.workflowsDirUrl.endsWith('/') ? data.workflowsDirUrl : `${data.workflowsDirUrl}/`;
  shimUrl = data.shimUrl;
}

/**
 * @param {string} specifier
 * @param {{ parentURL?: string }} context
 * @param {(specifier: string, context: unknown) => Promise<unknown>} nextResolve
 */
export async function resolve(specifier, context, nextResolve) {
  if (specifier === '@temporalio/workflow' && context.parentURL?.startsWith(workflowsDirUrl)) return { url: shimUrl, shortCircuit: true };
  return nextResolve(specifier, context);
}
