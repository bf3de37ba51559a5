# Device check for @dg/kernels (not part of CI: needs an H100/H200, CuPy, NumPy and ml_dtypes, as on the device
# machines): NVRTC (through CuPy) compiles every rendered TU, the results are compared bit for bit with a NumPy model
# of @dg/quant's CPU casts and layouts, and the 8192 x 7168 shapes are timed with CUDA events.
#   node scripts/render-variants.mjs .gpu/variants.json && python3 scripts/device-check.py .gpu/variants.json
import json, os, sys, tempfile, time
# CuPy's kernel cache keys on the TU text alone, not on the headers it includes: use a fresh cache every run.
os.environ['CUPY_CACHE_DIR'] = tempfile.mkdtemp(prefix='dg-kernels-cupy-')
import numpy as np
import cupy as cp
import ml_dtypes

root = os.path.dirname(os.path.abspath(__file__))
inc = os.path.abspath(os.path.join(root, '..', 'cuda'))
V = json.load(open(sys.argv[1]))
rng = np.random.default_rng(1234)
F32 = np.float32
fails = []

def compile_fn(v):
    mod = cp.RawModule(code=v['source'], options=('-std=c++17', f'-I{inc}'), backend='nvrtc')
    return mod.get_function(v['name'])

def e4m3(y):
    # Non-saturating RNE like @dg/quant: NaN -> 0x7F, +-inf (the only possible overflow) -> 0x7F with its sign.
    with np.errstate(over='ignore', invalid='ignore'):
        q = y.astype(ml_dtypes.float8_e4m3fn).view(np.uint8).copy()
    inf = np.isinf(y)
    q[inf] = np.where(y[inf] > 0, 0x7F, 0xFF)
    q[np.isnan(y)] = 0x7F
    return q

def scale(amax, ue8m0):
    amax = np.maximum(amax, F32(1e-4))  # NaN propagates
    sf = (amax * F32(1 / 448)).astype(F32)
    assert F32(1 / 448).view(np.uint32) == 0x3B124925
    if ue8m0:
        b = sf.view(np.uint32).astype(np.int64)
        e = ((b >> 23) & 0xFF) + ((b & 0x7FFFFF) != 0)
        e = np.clip(e, 1, 254)
        sf = (e.astype(np.uint32) << 23).view(F32)
    inv = (F32(1) / sf).astype(F32)
    return sf, inv

def ref_per_token(x, G, ue8m0):
    M, K = x.shape
    Kp = -(-K // G) * G
    xp = np.zeros((M, Kp), F32); xp[:, :K] = x
    g = xp.reshape(M, Kp // G, G)
    with np.errstate(invalid='ignore'):
        sf, inv = scale(np.abs(g).max(axis=-1), ue8m0)
        y = (g * inv[..., None]).astype(F32).reshape(M, Kp)[:, :K]
    return e4m3(y), sf

def ref_per_block(x, ue8m0):
    M, K = x.shape
    Mp, Kp = -(-M // 128) * 128, -(-K // 128) * 128
    xp = np.zeros((Mp, Kp), F32); xp[:M, :K] = x
    t = xp.reshape(Mp // 128, 128, Kp // 128, 128)
    with np.errstate(invalid='ignore'):
        sf, inv = scale(np.abs(t).max(axis=(1, 3)), ue8m0)
        y = (t * inv[:, None, :, None]).astype(F32).reshape(Mp, Kp)[:M, :K]
    return e4m3(y), sf

def make_input(M, K, kind, specials):
    # Wide dynamic range inside groups: exercises e4m3 subnormals, zeros and RNE ties.
    x = (rng.standard_normal((M, K)) * np.exp2(rng.integers(-24, 12, (M, K)))).astype(F32)
    if specials:
        n = max(1, M * K // 5000)
        x.flat[rng.integers(0, M * K, n)] = np.nan
        x.flat[rng.integers(0, M * K, n)] = -np.nan
        x.flat[rng.integers(0, M * K, n)] = -0.0
        x.flat[rng.integers(0, M * K, n)] = np.inf
        x.flat[rng.integers(0, M * K, n)] = -np.inf
    if kind == 'bf16':
        b = (x.view(np.uint32) >> 16).astype(np.uint16)  # truncate: any bf16 pattern is fine as input
        return b, (b.astype(np.uint32) << 16).view(F32)
    return x, x

def same_scales(gpu, ref):
    gb, rb = gpu.view(np.uint32), ref.view(np.uint32)
    nan = np.isnan(ref)
    return np.array_equal(np.isnan(gpu), nan) and np.array_equal(gb[~nan], rb[~nan]) and np.all(gb[nan] == 0x7FC00000)

t0 = time.time()
for v in V['quant']:
    c = v['config']
    try:
        fn = compile_fn(v)
    except Exception as e:
        fails.append(f"{v['name']}: NVRTC {e}"); continue
    for sh in v['grids']:
        M, K, grid = sh['m'], sh['k'], tuple(sh['grid'])
        big = M * K > 10_000_000
        if big and not (c['granularity'] == 128): continue
        for specials in ([False] if big else [False, True]):
            host, x32 = make_input(M, K, c['input'], specials)
            if c['kind'] == 'perToken':
                q_ref, sf_ref = ref_per_token(x32, c['granularity'], c['ue8m0'])
            else:
                q_ref, sf_ref = ref_per_block(x32, c['ue8m0'])
            xd = cp.asarray(host)
            qd = cp.full((M, K), 0xAB, dtype=cp.uint8)
            mn = c['scaleLayout'] == 'mnMajorTmaAligned'
            am = -(-M // 4) * 4
            sfd = cp.full(sf_ref.size if not mn else sf_ref.shape[1] * am, np.nan, dtype=cp.float32)
            fn(grid, tuple(v['block']), (xd, qd, sfd, np.uint32(M), np.uint32(K)))
            cp.cuda.runtime.deviceSynchronize()
            q, sf = cp.asnumpy(qd), cp.asnumpy(sfd)
            if mn:
                cols = sf.reshape(sf_ref.shape[1], am)
                pad_ok = np.all(cols[:, M:].view(np.uint32) == 0)
                sf = np.ascontiguousarray(cols[:, :M].T)
            else:
                pad_ok = True
                sf = sf.reshape(sf_ref.shape)
            okq = np.array_equal(q, q_ref)
            oks = same_scales(sf, sf_ref)
            if not (okq and oks and pad_ok):
                bad = np.argwhere(q != q_ref)[:3].tolist()
                detail = [(i, j, float(x32[i, j]), int(q[i, j]), int(q_ref[i, j])) for i, j in bad]
                fails.append(f"{v['name']} M={M} K={K} specials={specials}: data {okq} scales {oks} pad {pad_ok} {detail}")
            if big:
                start, end = cp.cuda.Event(), cp.cuda.Event()
                for _ in range(3): fn(grid, tuple(v['block']), (xd, qd, sfd, np.uint32(M), np.uint32(K)))
                start.record()
                iters = 30
                for _ in range(iters): fn(grid, tuple(v['block']), (xd, qd, sfd, np.uint32(M), np.uint32(K)))
                end.record(); end.synchronize()
                ms = cp.cuda.get_elapsed_time(start, end) / iters
                nbytes = host.nbytes + M * K + sfd.nbytes
                print(f"PERF {v['name']} {M}x{K}: {ms * 1000:.1f} us, {nbytes / ms / 1e9:.2f} TB/s (read+write)", flush=True)
print(f"quant checked in {time.time() - t0:.0f}s", flush=True)

for v in V['sf']:
    pack = v['config']['kind'] == 'packUe8m0'
    try:
        fn = compile_fn(v)
    except Exception as e:
        fails.append(f"{v['name']}: NVRTC {e}"); continue
    for sh in v['grids']:
        MN, SFK, B, grid = sh['mn'], sh['sfk'], sh['groups'], tuple(sh['grid'])
        am = -(-MN // 4) * 4
        if pack:
            sfin = np.exp2(rng.integers(-30, 30, (B, MN, SFK))).astype(F32)
            cols = -(-SFK // 4)
            byt = np.zeros((B, MN, cols * 4), np.uint8)
            byt[:, :, :SFK] = ((sfin.view(np.uint32) >> 23) & 0xFF).astype(np.uint8)
            words = byt.view(np.uint32).reshape(B, MN, cols)  # little-endian: byte t of word j = block 4j+t
            ref = np.zeros((B, cols, am), np.uint32); ref[:, :, :MN] = words.transpose(0, 2, 1)
            outd = cp.full(ref.size, 0xDEADBEEF, dtype=cp.uint32)
        else:
            sfin = rng.standard_normal((B, MN, SFK)).astype(F32)
            ref = np.zeros((B, SFK, am), F32); ref[:, :, :MN] = sfin.transpose(0, 2, 1)
            outd = cp.full(ref.size, np.nan, dtype=cp.float32)
        ind = cp.asarray(sfin)
        fn(grid, tuple(v['block']), (ind, outd, np.uint32(MN), np.uint32(SFK)))
        cp.cuda.runtime.deviceSynchronize()
        got = cp.asnumpy(outd).reshape(ref.shape)
        if not np.array_equal(got.view(np.uint32), ref.view(np.uint32)):
            fails.append(f"{v['name']} MN={MN} SFK={SFK} B={B}: mismatch")
        if MN == 8192:
            start, end = cp.cuda.Event(), cp.cuda.Event()
            start.record()
            for _ in range(30): fn(grid, tuple(v['block']), (ind, outd, np.uint32(MN), np.uint32(SFK)))
            end.record(); end.synchronize()
            print(f"PERF {v['name']} {B}x{MN}x{SFK}: {cp.cuda.get_elapsed_time(start, end) / 30 * 1000:.1f} us", flush=True)

print('FAILS', len(fails))
for f in fails[:40]: print(f)
