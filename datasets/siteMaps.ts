/** Raw anatomic site -> harmonized site (the ISIC 2019 vocabulary plus torso_unspecified); lower-case keys. */
export const hamSites: Record<string, string> = {
  scalp: 'head_neck', face: 'head_neck', ear: 'head_neck', neck: 'head_neck',
  chest: 'anterior_torso', abdomen: 'anterior_torso', back: 'posterior_torso', trunk: 'torso_unspecified',
  'upper extremity': 'upper_extremity', hand: 'upper_extremity', 'lower extremity': 'lower_extremity', foot: 'lower_extremity',
  acral: 'palms_soles', genital: 'oral_genital', unknown: 'unknown',
};

export const isicSites: Record<string, string> = {
  'anterior torso': 'anterior_torso', 'posterior torso': 'posterior_torso', 'lateral torso': 'lateral_torso',
  'upper extremity': 'upper_extremity', 'lower extremity': 'lower_extremity', 'head/neck': 'head_neck',
  'palms/soles': 'palms_soles', 'oral/genital': 'oral_genital', torso: 'torso_unspecified',
};

/** Buttocks go under posterior torso, as public Derm7pt loaders do. */
export const derm7ptSites: Record<string, string> = {
  abdomen: 'anterior_torso', chest: 'anterior_torso', back: 'posterior_torso', buttocks: 'posterior_torso',
  'head neck': 'head_neck', 'upper limbs': 'upper_extremity', 'lower limbs': 'lower_extremity', acral: 'palms_soles', 'genital areas': 'oral_genital',
};

export const padSites: Record<string, string> = {
  face: 'head_neck', nose: 'head_neck', ear: 'head_neck', lip: 'head_neck', scalp: 'head_neck', neck: 'head_neck',
  chest: 'anterior_torso', abdomen: 'anterior_torso', back: 'posterior_torso',
  arm: 'upper_extremity', forearm: 'upper_extremity', hand: 'upper_extremity', thigh: 'lower_extremity', foot: 'lower_extremity',
};
