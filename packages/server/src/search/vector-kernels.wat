;; The two inner loops of vector search, in WebAssembly SIMD (16 bytes a step). JavaScript scored
;; 10,000 int8 rows of 512 dimensions in 10-12 ms; this does it in ~0.5 ms (docs/benchmarks.md).
;; Both write one f32 score per row to `out`. `rowBytes` is a multiple of 16.
;; Edit this file, then run `node tools/vector-kernels/build.mjs` to regenerate vector-kernels-wasm.ts.
(module
  (memory (export "memory") 1)

  ;; int8 rows against an int16 query: out[r] = scale × Σ row[d] × query[d]. For unit vectors
  ;; (rows × 127, query × at most 32767) the exact integer sum stays under 2^27: no overflow.
  (func (export "scoresInt8")
    (param $rows i32) (param $count i32) (param $rowBytes i32) (param $query i32) (param $out i32) (param $scale f32)
    (local $end i32) (local $d i32) (local $acc v128) (local $v v128) (local $q i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (local.set $q (local.get $query))
        (loop $step
          (local.set $v (v128.load (i32.add (local.get $rows) (local.get $d))))
          (local.set $acc
            (i32x4.add (local.get $acc)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (v128.load (local.get $q)))))
          (local.set $acc
            (i32x4.add (local.get $acc)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (v128.load offset=16 (local.get $q)))))
          (local.set $q (i32.add (local.get $q) (i32.const 32)))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (br_if $step (i32.lt_u (local.get $d) (local.get $rowBytes))))
        (f32.store (local.get $out)
          (f32.mul (local.get $scale)
            (f32.convert_i32_s
              (i32.add
                (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
                (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))))
        (local.set $rows (i32.add (local.get $rows) (local.get $rowBytes)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $row))))

  ;; float32 rows against a float32 query: out[r] = Σ row[d] × query[d].
  (func (export "scoresF32")
    (param $rows i32) (param $count i32) (param $rowBytes i32) (param $query i32) (param $out i32)
    (local $end i32) (local $d i32) (local $acc v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (loop $step
          (local.set $acc
            (f32x4.add (local.get $acc)
              (f32x4.mul
                (v128.load (i32.add (local.get $rows) (local.get $d)))
                (v128.load (i32.add (local.get $query) (local.get $d))))))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (br_if $step (i32.lt_u (local.get $d) (local.get $rowBytes))))
        (f32.store (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (local.set $rows (i32.add (local.get $rows) (local.get $rowBytes)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $row))))
)
