import sharp from 'sharp';

/**
 * Raw RGB bytes as the model's input: each channel standardised over the image (zero mean, unit variance). The skin
 * around a lesion varies far more between images (Fitzpatrick I-VI) than the lesion between classes; taking out each
 * image's own colour level and spread leaves the contrast the diagnosis depends on.
 */
export function modelPixels(rgb: Uint8Array | Buffer): Float32Array {
  const n = rgb.length / 3;
  const out = new Float32Array(rgb.length);
  for (let c = 0; c < 3; c++) {
    let sum = 0;
    for (let i = c; i < rgb.length; i += 3) sum += rgb[i]!;
    const mean = sum / n;
    let sq = 0;
    for (let i = c; i < rgb.length; i += 3) sq += (rgb[i]! - mean) ** 2;
    const std = Math.sqrt(sq / n) + 1;
    for (let i = c; i < rgb.length; i += 3) out[i] = (rgb[i]! - mean) / std;
  }
  return out;
}

/** An image file as the model's input: RGB resized to side x side (stretched), standardised by `modelPixels`. */
export async function imageInput(file: string | Buffer, side: number): Promise<Float32Array> {
  const { data, info } = await sharp(file).removeAlpha().resize(side, side, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${typeof file === 'string' ? file : 'image'}: expected 3 channels, got ${info.channels}`);
  return modelPixels(data);
}
