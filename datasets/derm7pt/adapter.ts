import path from 'node:path';
import type { AdapterDefinition } from '../AdapterDefinition.ts';
import { derm7ptSites } from '../siteMaps.ts';

export const derm7ptCriteria = [
  'pigment_network', 'streaks', 'pigmentation', 'regression_structures', 'dots_and_globules', 'blue_whitish_veil', 'vascular_structures',
];

export const derm7pt: AdapterDefinition = {
  name: 'derm7pt',
  summary: 'Derm7pt: meta/meta.csv with the 7-point checklist, official split index files, a dermoscopic and a clinical image per case',
  extraFiles: { train: ['train_indexes.csv'], val: ['valid_indexes.csv'], test: ['test_indexes.csv'] },
  spec: (p) => ({
    name: 'derm7pt',
    licence: 'research use (derm.cs.sfu.ca); images not redistributable',
    modality: 'dermoscopic',
    metadata: { file: p.metadata },
    id: { column: 'case_num' },
    imageRoot: p.images,
    // One case, two images: both stay in the case's split (group = case).
    images: [
      { column: 'derm', key: 'derm', modality: 'dermoscopic' },
      { column: 'clinic', key: 'clinic', modality: 'clinical' },
    ],
    label: { column: 'diagnosis', mapFile: path.join(import.meta.dirname, 'labels.json') },
    group: 'case_num',
    split: { indexFiles: { train: p.extra.train!, val: p.extra.val!, test: p.extra.test! }, indexColumn: 'indexes' },
    concepts: { columns: derm7ptCriteria, kind: 'categorical' },
    fields: { sex: 'sex', site: 'location' },
    siteMap: derm7ptSites,
  }),
};
