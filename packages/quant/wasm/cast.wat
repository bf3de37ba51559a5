;; Hot loops of @dg/quant's FP8 casts, four FP32 lanes at a time. Assembled by scripts/build-wasm.mjs into
;; src/wasm/castModule.ts (base64); test/wasm.test.ts checks that the committed bytes come from this file.
;; Memory is owned by the caller (JS): it copies inputs in, calls these, and copies outputs out.
(module
  (memory (export "memory") 1)

  ;; Largest |x| bit pattern over n FP32 values at byte address p. Magnitude bit patterns order like magnitudes and
  ;; NaN patterns sort above infinity, so a signed max over (bits & 0x7fffffff) propagates NaN for free.
  (func (export "amaxBits") (param $p i32) (param $n i32) (result i32)
    (local $acc v128) (local $end i32) (local $m i32) (local $r i32)
    (local.set $acc (v128.const i32x4 0 0 0 0))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $acc (i32x4.max_s (local.get $acc)
          (v128.and (v128.load (local.get $p)) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vec)))
    (local.set $r (i32x4.extract_lane 0 (local.get $acc)))
    (if (i32.gt_s (i32x4.extract_lane 1 (local.get $acc)) (local.get $r)) (then (local.set $r (i32x4.extract_lane 1 (local.get $acc)))))
    (if (i32.gt_s (i32x4.extract_lane 2 (local.get $acc)) (local.get $r)) (then (local.set $r (i32x4.extract_lane 2 (local.get $acc)))))
    (if (i32.gt_s (i32x4.extract_lane 3 (local.get $acc)) (local.get $r)) (then (local.set $r (i32x4.extract_lane 3 (local.get $acc)))))
    ;; the n % 4 tail, one at a time
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $tdone
      (loop $tail
        (br_if $tdone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $m (i32.and (i32.load (local.get $p)) (i32.const 0x7fffffff)))
        (if (i32.gt_s (local.get $m) (local.get $r)) (then (local.set $r (local.get $m))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $tail)))
    (local.get $r))

  ;; e4m3fn codes of fl(x * inv) for four lanes, non-saturating (overflow -> 0x7F with the sign, NaN -> 0x7F).
  (func $encode4 (param $x v128) (param $inv v128) (result v128)
    (local $y v128) (local $mag v128) (local $normal v128) (local $sub v128) (local $code v128)
    (local.set $y (f32x4.mul (local.get $x) (local.get $inv)))
    (local.set $mag (v128.and (local.get $y) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff)))
    ;; normal: add a round-half-to-even bias to the 20 dropped bits, keep exponent and 3 mantissa bits, rebias
    (local.set $normal
      (i32x4.sub
        (i32x4.shr_u
          (i32x4.add
            (i32x4.add (local.get $mag) (v128.const i32x4 0x7ffff 0x7ffff 0x7ffff 0x7ffff))
            (v128.and (i32x4.shr_u (local.get $mag) (i32.const 20)) (v128.const i32x4 1 1 1 1)))
          (i32.const 20))
        (v128.const i32x4 960 960 960 960)))
    ;; below 2^-6: round |y| on the 2^-9 grid (f32x4.nearest rounds ties to even)
    (local.set $sub (i32x4.trunc_sat_f32x4_s (f32x4.nearest
      (f32x4.mul (local.get $mag) (v128.const f32x4 512 512 512 512)))))
    (local.set $code (v128.bitselect (local.get $normal) (local.get $sub)
      (i32x4.ge_s (local.get $mag) (v128.const i32x4 0x3c800000 0x3c800000 0x3c800000 0x3c800000))))
    (local.set $code (v128.bitselect (v128.const i32x4 0x7f 0x7f 0x7f 0x7f) (local.get $code)
      (i32x4.ge_s (local.get $mag) (v128.const i32x4 0x43f00000 0x43f00000 0x43f00000 0x43f00000))))
    (local.set $code (v128.or (local.get $code)
      (v128.and (i32x4.shr_u (local.get $y) (i32.const 24)) (v128.const i32x4 0x80 0x80 0x80 0x80))))
    (v128.bitselect (v128.const i32x4 0x7f 0x7f 0x7f 0x7f) (local.get $code)
      (i32x4.gt_s (local.get $mag) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))

  ;; dst[i] = e4m3fn(fl(src[i] * inv)) for i < n rounded up to a multiple of 16: the caller leaves 64 bytes of slack
  ;; after src and 16 after dst, and later groups overwrite the extra bytes.
  (func (export "scaleEncodeE4m3") (param $src i32) (param $n i32) (param $inv f32) (param $dst i32)
    (local $vinv v128) (local $end i32)
    (local.set $vinv (f32x4.splat (local.get $inv)))
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $blk
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (v128.store (local.get $dst)
          (i8x16.narrow_i16x8_u
            (i16x8.narrow_i32x4_u
              (call $encode4 (v128.load (local.get $src)) (local.get $vinv))
              (call $encode4 (v128.load offset=16 (local.get $src)) (local.get $vinv)))
            (i16x8.narrow_i32x4_u
              (call $encode4 (v128.load offset=32 (local.get $src)) (local.get $vinv))
              (call $encode4 (v128.load offset=48 (local.get $src)) (local.get $vinv)))))
        (local.set $src (i32.add (local.get $src) (i32.const 64)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $blk))))
)
