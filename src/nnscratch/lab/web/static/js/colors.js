// Colours shared by every view: orange and blue for two classes (and for negative and
// positive values), a palette for up to five classes, and the scales between them.

export const ORANGE = [245, 147, 34];
export const BLUE = [8, 119, 189];
export const NEUTRAL = [232, 234, 235];
export const WHITE = [255, 255, 255];

/** Class colours: class 0 orange and class 1 blue, as in two-class sets, then three more. */
export const PALETTE = [ORANGE, BLUE, [44, 160, 90], [142, 68, 173], [214, 60, 110]];

export function css(rgb, alpha = 1) {
  return alpha === 1 ? `rgb(${rgb[0]},${rgb[1]},${rgb[2]})` : `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${alpha})`;
}

export function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** t in [0, 1]: orange at 0, neutral grey at 0.5, blue at 1. */
export function diverging(t) {
  const c = Math.min(1, Math.max(0, t));
  return c < 0.5 ? mix(ORANGE, NEUTRAL, c * 2) : mix(NEUTRAL, BLUE, (c - 0.5) * 2);
}

export function classColor(k) {
  return PALETTE[k % PALETTE.length];
}

/**
 * A 256-entry lookup table (Uint8ClampedArray, RGBA) for a byte-valued map.
 * @param {(t: number) => number[]} scale  t in [0, 1] -> rgb
 * @param {number} lighten  0..1: how far to wash the colours towards white (backgrounds)
 */
export function lookupTable(scale, lighten = 0) {
  const table = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const rgb = mix(scale(i / 255), WHITE, lighten);
    table.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
  }
  return table;
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
