/**
 * The little dense/sparse linear algebra the local embeddings need: a seeded Gaussian generator,
 * Gram–Schmidt orthonormalisation, a Jacobi eigensolver and a randomized truncated SVD
 * (Halko, Martinsson & Tropp 2011). Matrices are row-major Float64Arrays.
 */

/** Sparse rows: for row i, `cols[i]` and `vals[i]` hold its non-zero entries. */
export interface SparseRows {
  rows: number;
  cols: number;
  indices: Uint32Array[];
  values: Float64Array[];
}

/** Deterministic PRNG (mulberry32) so that builds are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): () => number {
  return () => {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/** Y = A · M where A is sparse (n×m) and M dense (m×l). */
function sparseTimesDense(a: SparseRows, m: Float64Array, l: number): Float64Array {
  const y = new Float64Array(a.rows * l);
  for (let i = 0; i < a.rows; i++) {
    const idx = a.indices[i] as Uint32Array;
    const val = a.values[i] as Float64Array;
    const off = i * l;
    for (let p = 0; p < idx.length; p++) {
      const v = val[p] as number;
      const moff = (idx[p] as number) * l;
      for (let j = 0; j < l; j++) y[off + j] = (y[off + j] as number) + v * (m[moff + j] as number);
    }
  }
  return y;
}

/** Z = Aᵀ · Y where A is sparse (n×m) and Y dense (n×l); Z is m×l. */
function sparseTransposeTimesDense(a: SparseRows, y: Float64Array, l: number): Float64Array {
  const z = new Float64Array(a.cols * l);
  for (let i = 0; i < a.rows; i++) {
    const idx = a.indices[i] as Uint32Array;
    const val = a.values[i] as Float64Array;
    const yoff = i * l;
    for (let p = 0; p < idx.length; p++) {
      const v = val[p] as number;
      const zoff = (idx[p] as number) * l;
      for (let j = 0; j < l; j++) z[zoff + j] = (z[zoff + j] as number) + v * (y[yoff + j] as number);
    }
  }
  return z;
}

/** Orthonormalise the l columns of a row-major n×l matrix in place (modified Gram–Schmidt, twice). */
export function orthonormalizeColumns(q: Float64Array, n: number, l: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < l; j++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += (q[i * l + j] as number) * (q[i * l + k] as number);
        for (let i = 0; i < n; i++) q[i * l + j] = (q[i * l + j] as number) - dot * (q[i * l + k] as number);
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += (q[i * l + j] as number) ** 2;
      norm = Math.sqrt(norm);
      for (let i = 0; i < n; i++) q[i * l + j] = norm > 1e-12 ? (q[i * l + j] as number) / norm : 0;
    }
  }
}

/**
 * Eigen-decomposition of a symmetric l×l matrix (cyclic Jacobi). Returns eigenvalues in descending
 * order and the matching eigenvectors as the columns of a row-major l×l matrix.
 */
export function symmetricEigen(input: Float64Array, l: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(input);
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < l; p++) for (let q = p + 1; q < l; q++) off += (a[p * l + q] as number) ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * l + p] as number;
        const aqq = a[q * l + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p] as number;
          const akq = a[k * l + q] as number;
          a[k * l + p] = c * akp - s * akq;
          a[k * l + q] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k] as number;
          const aqk = a[q * l + k] as number;
          a[p * l + k] = c * apk - s * aqk;
          a[q * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p] as number;
          const vkq = v[k * l + q] as number;
          v[k * l + p] = c * vkp - s * vkq;
          v[k * l + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: l }, (_, i) => i).sort((x, y) => (a[y * l + y] as number) - (a[x * l + x] as number));
  const values = new Float64Array(l);
  const vectors = new Float64Array(l * l);
  order.forEach((src, dst) => {
    values[dst] = a[src * l + src] as number;
    for (let k = 0; k < l; k++) vectors[k * l + dst] = v[k * l + src] as number;
  });
  return { values, vectors };
}

/**
 * Truncated SVD A ≈ U Σ Vᵀ of a sparse n×m matrix, top `k` components, by randomized range finding
 * with `powerIterations` subspace iterations. Returns Σ (k) and V (m×k, row-major).
 */
export function randomizedSvd(
  a: SparseRows,
  k: number,
  options: { oversample?: number; powerIterations?: number; seed?: number } = {},
): { singularValues: Float64Array; v: Float64Array; k: number } {
  const l = Math.min(k + (options.oversample ?? 10), a.rows, a.cols);
  const rand = gaussian(seededRandom(options.seed ?? 42));
  const omega = new Float64Array(a.cols * l);
  for (let i = 0; i < omega.length; i++) omega[i] = rand();

  let y = sparseTimesDense(a, omega, l);
  orthonormalizeColumns(y, a.rows, l);
  for (let it = 0; it < (options.powerIterations ?? 2); it++) {
    // Subspace iteration; re-orthonormalising on the (small) row side only is enough in float64.
    y = sparseTimesDense(a, sparseTransposeTimesDense(a, y, l), l);
    orthonormalizeColumns(y, a.rows, l);
  }
  // B = Qᵀ A (l×m), stored transposed as Bt (m×l).
  const bt = sparseTransposeTimesDense(a, y, l);
  // B Bᵀ (l×l)
  const bbt = new Float64Array(l * l);
  for (let r = 0; r < a.cols; r++) {
    const off = r * l;
    for (let i = 0; i < l; i++) {
      const bi = bt[off + i] as number;
      if (bi === 0) continue;
      for (let j = i; j < l; j++) bbt[i * l + j] = (bbt[i * l + j] as number) + bi * (bt[off + j] as number);
    }
  }
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) bbt[i * l + j] = bbt[j * l + i] as number;
  const { values, vectors } = symmetricEigen(bbt, l);
  const kk = Math.min(k, l);
  const singularValues = new Float64Array(kk);
  for (let c = 0; c < kk; c++) singularValues[c] = Math.sqrt(Math.max(values[c] as number, 0));
  // V = Bᵀ W Σ⁻¹  (m×k)
  const v = new Float64Array(a.cols * kk);
  for (let r = 0; r < a.cols; r++) {
    const off = r * l;
    for (let c = 0; c < kk; c++) {
      const s = singularValues[c] as number;
      if (s < 1e-12) continue;
      let sum = 0;
      for (let i = 0; i < l; i++) sum += (bt[off + i] as number) * (vectors[i * l + c] as number);
      v[r * kk + c] = sum / s;
    }
  }
  return { singularValues, v, k: kk };
}
