// Versions of the RL stage's logic, part of its artifacts' identities; no imports, so workflow code can read them.
export const RL_ITEMS_CODE_VERSION = 'rl-items@1';
export const RL_ROLLOUTS_CODE_VERSION = 'rl-rollouts@1';
export const RL_REWARDS_CODE_VERSION = 'rl-rewards@1';
export const RL_CHECKPOINT_CODE_VERSION = 'rl-checkpoint@1';
