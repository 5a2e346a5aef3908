// The workflow bundle's entry point: every workflow type the workers run.
export { smokeWorkflow } from './smoke.ts';
export { pingWorkflow } from './ping.ts';
export { onboardDataset } from './onboardDataset.ts';
export { distillTrajectories } from './distillTrajectories.ts';
export { sft } from './sft.ts';
export { rl } from './rl.ts';
export { evaluate } from './evaluate.ts';
export { trainSkinR1 } from './trainSkinR1.ts';
