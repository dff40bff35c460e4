;; A guest that exercises its own linear memory: grow, stores and loads of every width, bulk memory
;; operations, data segments and out-of-bounds traps. SegmentMemoryEndToEndTest runs it under
;; Chicory's interpreter and compiler, with SegmentMemory and with Chicory's default memory.
;;
;; memory-ops.wasm is built from this file with wabt 1.0.32:
;;   wat2wasm memory-ops.wat -o memory-ops.wasm
(module
  (memory (export "memory") 1 8)

  ;; Active: bytes 01..08 at 1024. Passive: "memory64!", for memory.init and data.drop.
  (data (i32.const 1024) "\01\02\03\04\05\06\07\08")
  (data $passive "memory64!")

  (func (export "size") (result i32)
    memory.size)
  (func (export "grow") (param $pages i32) (result i32)
    (memory.grow (local.get $pages)))

  (func (export "i32_store") (param $addr i32) (param $value i32)
    (i32.store (local.get $addr) (local.get $value)))
  (func (export "i32_load") (param $addr i32) (result i32)
    (i32.load (local.get $addr)))
  (func (export "i32_store8") (param $addr i32) (param $value i32)
    (i32.store8 (local.get $addr) (local.get $value)))
  (func (export "i32_load8_u") (param $addr i32) (result i32)
    (i32.load8_u (local.get $addr)))
  (func (export "i32_load8_s") (param $addr i32) (result i32)
    (i32.load8_s (local.get $addr)))
  (func (export "i32_store16") (param $addr i32) (param $value i32)
    (i32.store16 (local.get $addr) (local.get $value)))
  (func (export "i32_load16_u") (param $addr i32) (result i32)
    (i32.load16_u (local.get $addr)))
  (func (export "i32_load16_s") (param $addr i32) (result i32)
    (i32.load16_s (local.get $addr)))

  (func (export "i64_store") (param $addr i32) (param $value i64)
    (i64.store (local.get $addr) (local.get $value)))
  (func (export "i64_load") (param $addr i32) (result i64)
    (i64.load (local.get $addr)))
  (func (export "i64_store32") (param $addr i32) (param $value i64)
    (i64.store32 (local.get $addr) (local.get $value)))
  (func (export "i64_load32_u") (param $addr i32) (result i64)
    (i64.load32_u (local.get $addr)))
  (func (export "i64_load32_s") (param $addr i32) (result i64)
    (i64.load32_s (local.get $addr)))

  (func (export "f32_store") (param $addr i32) (param $value f32)
    (f32.store (local.get $addr) (local.get $value)))
  (func (export "f32_load") (param $addr i32) (result f32)
    (f32.load (local.get $addr)))
  (func (export "f64_store") (param $addr i32) (param $value f64)
    (f64.store (local.get $addr) (local.get $value)))
  (func (export "f64_load") (param $addr i32) (result f64)
    (f64.load (local.get $addr)))

  ;; A static offset near 2^31: base + offset is past 2 GiB, read as unsigned.
  (func (export "i32_load_far") (param $addr i32) (result i32)
    (i32.load offset=0x7ffffff0 (local.get $addr)))

  (func (export "fill") (param $dest i32) (param $value i32) (param $len i32)
    (memory.fill (local.get $dest) (local.get $value) (local.get $len)))
  (func (export "copy") (param $dest i32) (param $src i32) (param $len i32)
    (memory.copy (local.get $dest) (local.get $src) (local.get $len)))
  (func (export "init") (param $dest i32) (param $offset i32) (param $len i32)
    (memory.init $passive (local.get $dest) (local.get $offset) (local.get $len)))
  (func (export "drop")
    (data.drop $passive))

  ;; Stores i * i as i64 at $base + 8 * i for i in [0, $n), then loads them back and sums them.
  (func (export "sum_squares") (param $base i32) (param $n i32) (result i64)
    (local $i i32)
    (local $sum i64)
    (local.set $i (i32.const 0))
    (block $stored
      (loop $store
        (br_if $stored (i32.ge_u (local.get $i) (local.get $n)))
        (i64.store
          (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 3)))
          (i64.mul (i64.extend_i32_u (local.get $i)) (i64.extend_i32_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $store)))
    (local.set $i (i32.const 0))
    (block $summed
      (loop $sum
        (br_if $summed (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum
          (i64.add
            (local.get $sum)
            (i64.load (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $sum)))
    (local.get $sum))
)
