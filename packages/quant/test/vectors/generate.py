#!/usr/bin/env python3
"""Generates the bit-exact test vectors of @dg/quant from the semantics alone, independently of the TypeScript code.

FP8 encoding here is a nearest-value search over the decoded grid (ties to the even code), not the bit arithmetic the
package uses; the casts use numpy float32 arithmetic, which rounds every operation to FP32 like PyTorch does.
Run: python3 generate.py  (needs numpy); writes vectors.json beside this file.
"""
import json
import pathlib

import numpy as np

np.seterr(invalid="ignore")

F32 = np.float32


def decode_table(exp_bits, man_bits, ieee):
    bias = (1 << (exp_bits - 1)) - 1
    emax, mmax = (1 << exp_bits) - 1, (1 << man_bits) - 1
    vals = []
    for code in range(128):
        e, m = code >> man_bits, code & mmax
        if ieee and e == emax:
            v = float('inf') if m == 0 else float('nan')
        elif not ieee and e == emax and m == mmax:
            v = float('nan')
        elif e == 0:
            v = m * 2.0 ** (1 - bias - man_bits)
        else:
            v = (1 + m / (1 << man_bits)) * 2.0 ** (e - bias)
        vals.append(v)
    return vals


FORMATS = {
    # name: (positive decoded values, largest finite code, code of the first value past the top, its virtual value)
    'e4m3fn': (decode_table(4, 3, False), 0x7E, 0x7F, 480.0),
    'e5m2': (decode_table(5, 2, True), 0x7B, 0x7C, 65536.0),
}


def encode_one(x, fmt, saturate):
    vals, max_code, over_code, over_val = FORMATS[fmt]
    x = float(F32(x))
    if np.isnan(x):
        return 0x7F
    sign = 0x80 if np.signbit(x) else 0
    a = abs(x)
    grid = vals[: max_code + 1] + [over_val]  # codes 0..max_code, then the virtual overflow step
    if a >= over_val:
        code = over_code
    else:
        lo = max(c for c in range(len(grid)) if grid[c] <= a)
        if grid[lo] == a:
            code = lo
        else:
            hi = lo + 1
            dlo, dhi = a - grid[lo], grid[hi] - a
            code = lo if dlo < dhi else hi if dhi < dlo else (lo if lo % 2 == 0 else hi)
    if code > max_code:
        code = max_code if saturate else over_code
    return code | sign


def encode(xs, fmt, saturate=False):
    return [encode_one(x, fmt, saturate) for x in np.asarray(xs, dtype=F32).ravel()]


def bits(a):
    return [int(b) for b in np.asarray(a, dtype=F32).view(np.uint32).ravel()]


def ue8m0(sf):
    b = np.asarray(sf, dtype=F32).view(np.uint32).astype(np.int64)
    e = ((b >> 23) & 0xFF) + ((b & 0x7FFFFF) != 0)
    return (np.clip(e, 1, 254).astype(np.uint32) << 23).view(F32)


def scales_from_amax(amax, use_ue8m0):
    amax = np.where(np.isnan(amax), amax, np.maximum(amax, F32(1e-4))).astype(F32)
    sf = (amax * F32(1.0 / 448.0)).astype(F32)  # fl(1/448) as an FP32 constant, then an FP32 product
    return ue8m0(sf) if use_ue8m0 else sf


def group_amax(block):
    # np.max propagates NaN, like torch.amax
    return np.max(np.abs(block)) if block.size else F32(0)


def per_token(x, m, k, g, use_ue8m0):
    x = x.reshape(m, k)
    groups = -(-k // g)
    data = np.zeros((m, k), dtype=np.int64)
    scale = np.zeros((m, groups), dtype=F32)
    for r in range(m):
        for j in range(groups):
            seg = x[r, j * g:(j + 1) * g]
            sf = scales_from_amax(np.array([group_amax(seg)], dtype=F32), use_ue8m0)[0]
            inv = F32(1) / sf
            data[r, j * g:(j + 1) * g] = encode((seg * inv).astype(F32), 'e4m3fn')
            scale[r, j] = sf
    return data, scale


def per_block(x, m, k, g, use_ue8m0):
    x = x.reshape(m, k)
    tr, tc = -(-m // g), -(-k // g)
    data = np.zeros((m, k), dtype=np.int64)
    scale = np.zeros((tr, tc), dtype=F32)
    for i in range(tr):
        for j in range(tc):
            tile = x[i * g:(i + 1) * g, j * g:(j + 1) * g]
            sf = scales_from_amax(np.array([group_amax(tile)], dtype=F32), use_ue8m0)[0]
            inv = F32(1) / sf
            data[i * g:(i + 1) * g, j * g:(j + 1) * g] = np.array(encode((tile * inv).astype(F32), 'e4m3fn')).reshape(tile.shape)
            scale[i, j] = sf
    return data, scale


def per_channel(x, k, n, g, use_ue8m0):
    x = x.reshape(k, n)
    data = np.zeros((k, n), dtype=np.int64)
    scale = np.zeros((k // g, n), dtype=F32)
    for i in range(k // g):
        for c in range(n):
            col = x[i * g:(i + 1) * g, c]
            sf = scales_from_amax(np.array([group_amax(col)], dtype=F32), use_ue8m0)[0]
            inv = F32(1) / sf
            data[i * g:(i + 1) * g, c] = encode((col * inv).astype(F32), 'e4m3fn')
            scale[i, c] = sf
    return data, scale


def encode_inputs():
    xs = []
    for fmt in FORMATS:
        vals = FORMATS[fmt][0]
        finite = sorted(v for v in vals if np.isfinite(v))
        for a, b in zip(finite, finite[1:]):
            mid = F32((a + b) / 2)  # exact ties (all midpoints are FP32-representable)
            xs += [a, mid, np.nextafter(mid, F32(-1)), np.nextafter(mid, F32(1e9))]
        top, over = finite[-1], FORMATS[fmt][3]
        mid = F32((top + over) / 2)
        xs += [top, mid, np.nextafter(mid, F32(0)), np.nextafter(mid, F32(1e30)), over, over * 2, 1e30]
    xs += [0.0, 2.0 ** -30, 1e-45, 3e-38, 1e38, float('inf'), 1.0, 1.0 / 3, 0.1, 100.0]
    xs = np.array(xs, dtype=F32)
    xs = np.concatenate([xs, -xs, np.array([float('nan')], dtype=F32)])
    return xs


def main():
    rng = np.random.default_rng(20261121)
    out = {'encode': {}, 'casts': []}
    xs = encode_inputs()
    out['encode']['inputBits'] = bits(xs)
    for fmt in FORMATS:
        out['encode'][fmt] = {'saturate': encode(xs, fmt, True), 'nonSaturate': encode(xs, fmt, False)}

    def matrix(m, k, kind):
        x = (rng.standard_normal((m, k)) * rng.choice([1e-3, 1.0, 50.0, 1e4], size=(m, 1))).astype(F32)
        if kind == 'special':
            x[0, :] = 0                                  # all-zero row: amax clamps to 1e-4
            if m > 1:
                x[1, 5 % k] = 448.0                         # sf = fl(448 * fl(1/448)), not exactly 1
                x[1, 6 % k] = -1e-40                        # FP32 subnormal input
            if m > 2:
                x[2, 3 % k] = float('nan')                   # NaN poisons its group's amax
            if m > 3:
                x[3, 7 % k] = float('inf')                   # inf: sf = inf, inv = 0, inf * 0 = NaN
                x[3, 8 % k] = -0.0
            if m > 4:
                x[4, :] = (rng.integers(-4, 5, size=k) * 2.0 ** -12).astype(F32)  # tiny values on a coarse grid
        return x

    cases = [
        ('perToken', 4, 300, 128), ('perToken', 6, 256, 128), ('perToken', 5, 100, 32), ('perToken', 2, 1000, 128),
        ('perBlock', 130, 136, 128), ('perBlock', 6, 300, 128), ('perBlock', 40, 48, 16),
        ('perChannel', 256, 9, 128), ('perChannel', 64, 5, 32),
    ]
    for kind, m, k, g in cases:
        for use_ue8m0 in (False, True):
            x = matrix(m, k, 'special')
            fn = {'perToken': per_token, 'perBlock': per_block, 'perChannel': per_channel}[kind]
            data, scale = fn(x, m, k, g, use_ue8m0)
            out['casts'].append({
                'kind': kind, 'm': m, 'k': k, 'granularity': g, 'ue8m0': use_ue8m0,
                'xBits': bits(x), 'data': bytes(np.asarray(data, dtype=np.uint8).ravel()).hex(), 'scaleBits': bits(scale),
            })
    path = pathlib.Path(__file__).with_name('vectors.json')
    path.write_text(json.dumps(out, separators=(',', ':')) + '\n')
    print(f'wrote {path} ({path.stat().st_size} bytes)')


if __name__ == '__main__':
    main()
