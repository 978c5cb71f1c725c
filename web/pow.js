/* Parley's proof-of-work solver (docs/ANTISPAM.md), an ALTCHA-compatible
 * client. embed.js loads it only when the server answers pow_required or
 * pow_invalid, then calls ParleyPow.solve(challenge) with the answer of
 * GET /api/v1/pow and sends the result as the field `altcha`.
 *
 * The search (SHA-256 of salt + n for n = 0, 1, 2... until it equals the
 * challenge) runs in a Web Worker made from this file's own code, so the
 * page stays responsive; where a Worker cannot be made (a strict
 * Content-Security-Policy), it runs on the page's thread in slices of 2,000
 * tries with a pause between them. SHA-256 is written out here: WebCrypto
 * is missing on http:// pages and costs a promise per hash.
 */
(() => {
  'use strict';
  function core() {
    const K = new Uint32Array([
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
      0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
      0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
      0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
      0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
      0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
      0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
    const W = new Uint32Array(64), H = new Int32Array(8);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    // SHA-256 of the first len bytes of m (m is long enough for the padding
    // and zero past len), into H.
    function sha256(m, len) {
      const blocks = ((len + 8) >> 6) + 1, end = blocks * 64, bits = len * 8;
      m[len] = 0x80;
      m[end - 4] = bits >>> 24; m[end - 3] = bits >>> 16; m[end - 2] = bits >>> 8; m[end - 1] = bits;
      let h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a;
      let h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
      for (let b = 0; b < end; b += 64) {
        for (let i = 0; i < 16; i++) {
          const o = b + i * 4;
          W[i] = (m[o] << 24) | (m[o + 1] << 16) | (m[o + 2] << 8) | m[o + 3];
        }
        for (let i = 16; i < 64; i++) {
          const s0 = rotr(W[i - 15], 7) ^ rotr(W[i - 15], 18) ^ (W[i - 15] >>> 3);
          const s1 = rotr(W[i - 2], 17) ^ rotr(W[i - 2], 19) ^ (W[i - 2] >>> 10);
          W[i] = W[i - 16] + s0 + W[i - 7] + s1;
        }
        let a = h0, bb = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
        for (let i = 0; i < 64; i++) {
          const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
          const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
          h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
        }
        h0 = (h0 + a) | 0; h1 = (h1 + bb) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
        h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
      }
      H[0] = h0; H[1] = h1; H[2] = h2; H[3] = h3; H[4] = h4; H[5] = h5; H[6] = h6; H[7] = h7;
    }
    // The n in [from, to] (and at most maxnumber) with SHA-256(salt + n) =
    // challenge, or -1.
    return (c, from, to) => {
      const salt = new TextEncoder().encode(c.salt);
      const want = new Int32Array(8);
      for (let i = 0; i < 8; i++) want[i] = parseInt(c.challenge.slice(i * 8, i * 8 + 8), 16) | 0;
      const m = new Uint8Array(salt.length + 100);
      for (let n = from; n <= to && n <= c.maxnumber; n++) {
        m.fill(0);
        m.set(salt);
        const digits = String(n);
        for (let i = 0; i < digits.length; i++) m[salt.length + i] = digits.charCodeAt(i);
        sha256(m, salt.length + digits.length);
        let same = true;
        for (let i = 0; i < 8 && same; i++) same = H[i] === want[i];
        if (same) return n;
      }
      return -1;
    };
  }

  const WORKER = `const search = (${core})(); onmessage = (e) => postMessage(search(e.data, 0, e.data.maxnumber));`;

  async function inWorker(c) {
    const url = URL.createObjectURL(new Blob([WORKER], { type: 'text/javascript' }));
    const w = new Worker(url);
    try {
      return await new Promise((resolve, reject) => {
        w.onmessage = (e) => resolve(e.data);
        w.onerror = (e) => { e.preventDefault(); reject(new Error('worker failed')); };
        w.postMessage(c);
      });
    } finally {
      w.terminate();
      URL.revokeObjectURL(url);
    }
  }

  async function inSlices(c) {
    const search = core();
    for (let from = 0; from <= c.maxnumber; from += 2000) {
      const n = search(c, from, from + 1999);
      if (n >= 0) return n;
      await new Promise((r) => setTimeout(r, 0));
    }
    return -1;
  }

  window.ParleyPow = {
    async solve(c) {
      const start = Date.now();
      let n;
      try { n = await inWorker(c); } catch (e) { n = await inSlices(c); }
      if (n < 0) throw new Error('The proof of work could not be solved.');
      return btoa(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge, number: n, salt: c.salt, signature: c.signature, took: Date.now() - start }));
    },
  };
})();
