import path from 'node:path';
import type { AdapterDefinition } from '../AdapterDefinition.ts';
import { padSites } from '../siteMaps.ts';

export const padUfes20: AdapterDefinition = {
  name: 'pad-ufes-20',
  summary: 'PAD-UFES-20 smartphone images: metadata.csv (26 columns, blanks for non-biopsied lesions), images <img_id> in imgs_part_1..3',
  extraFiles: {},
  spec: (p) => ({
    name: 'pad-ufes-20',
    licence: 'CC BY 4.0',
    modality: 'clinical',
    metadata: { file: p.metadata },
    id: { column: 'img_id' },
    imageRoot: p.images,
    images: [{ column: 'img_id' }],
    label: { column: 'diagnostic', mapFile: path.join(import.meta.dirname, 'labels.json') },
    group: 'lesion_id',
    patient: 'patient_id',
    // The column is spelled `fitspatrick` in the release.
    fields: { age: 'age', sex: 'gender', site: 'region', fitzpatrick: 'fitspatrick' },
    siteMap: padSites,
  }),
};
