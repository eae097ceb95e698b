// Colours shared by every view: the article's Spectral colour map (matplotlib's
// `plt.cm.Spectral`, as the command line's figures use it), and the scales built on it.
//
// * Classes: k classes take k colours spread over Spectral, its two ends included, so two
//   classes are dark red (class 0) and dark blue (class 1), as in the article's scatter plots.
// * A region or a probability is a light tint of the same colours (mixed with white), so
//   the points stand out from the region they belong to instead of vanishing into it.
// * Signed values (weights, neuron outputs): negative red, zero pale yellow, positive blue.

/** matplotlib's Spectral: 11 colours, evenly spaced, linearly interpolated between. */
const SPECTRAL = [
  [158, 1, 66], [213, 62, 79], [244, 109, 67], [253, 174, 97], [254, 224, 139], [255, 255, 191],
  [230, 245, 152], [171, 221, 164], [102, 194, 165], [50, 136, 189], [94, 79, 162],
];

export const WHITE = [255, 255, 255];
/** The negative end (class 0) and the positive end (class 1). */
export const NEGATIVE = SPECTRAL[0];
export const POSITIVE = SPECTRAL[SPECTRAL.length - 1];
/** How far a region's colour is washed towards white (the figures' `region_colors`). */
export const TINT = 0.55;

export function css(rgb, alpha = 1) {
  const [r, g, b] = rgb.map((v) => Math.round(v));
  return alpha === 1 ? `rgb(${r},${g},${b})` : `rgba(${r},${g},${b},${alpha})`;
}

export function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Spectral at t in [0, 1]: dark red at 0, pale yellow at 0.5, dark blue at 1. */
export function spectral(t) {
  const x = Math.min(1, Math.max(0, t)) * (SPECTRAL.length - 1);
  const i = Math.min(SPECTRAL.length - 2, Math.floor(x));
  return mix(SPECTRAL[i], SPECTRAL[i + 1], x - i);
}

/** A colour washed towards white by `tint` (0: itself, 1: white). */
export function tinted(rgb, tint = TINT) {
  return mix(rgb, WHITE, tint);
}

/** Colour of class k out of n (Spectral's ends for two classes). */
export function classColor(k, n = 2) {
  return spectral(n > 1 ? k / (n - 1) : 0);
}

/**
 * A 256-entry lookup table (Uint8ClampedArray, RGBA) for a byte-valued map.
 * @param {(t: number) => number[]} scale  t in [0, 1] -> rgb
 * @param {number} tint  0..1: how far to wash the colours towards white (backgrounds)
 */
export function lookupTable(scale, tint = 0) {
  const table = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const rgb = mix(scale(i / 255), WHITE, tint);
    table.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
  }
  return table;
}

/** RGBA pixels of `count` bytes from `offset` on, each coloured through a lookupTable. */
export function colorBytes(bytes, table, offset = 0, count = bytes.length - offset) {
  const pixels = new Uint8ClampedArray(count * 4);
  for (let i = 0; i < count; i++) {
    const j = bytes[offset + i] * 4;
    pixels[i * 4] = table[j];
    pixels[i * 4 + 1] = table[j + 1];
    pixels[i * 4 + 2] = table[j + 2];
    pixels[i * 4 + 3] = 255;
  }
  return pixels;
}

/** Decode the protocol's base64 byte arrays. */
export function decodeU8(b64) {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

export function decodeF32(b64) {
  const bytes = decodeU8(b64);
  return new Float32Array(bytes.buffer, 0, bytes.length >> 2);
}
