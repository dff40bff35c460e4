;; bench.wat: the benchmark guest of memory64-bench (JMH). Each export is one guest call that
;; makes one host call, so a benchmark measures a real guest -> host -> guest-memory round trip:
;;   load_layer(layer_id, dst_ptr, max_size) -> i32   calls env.memory64_load_layer
;;   read(offset: i64, dst_ptr, len) -> i32            calls env.memory64_read
;;   noop(offset: i64, dst_ptr, len) -> i32            calls env.noop, a host function with
;;                                                     memory64_read's signature that does nothing:
;;                                                     the call-cost baseline
;; Memory: 1025 pages (64 MiB + 64 KiB), no maximum, so that a 64 MiB layer fits after a first
;; page left to the guest.
(module
  (import "env" "memory64_load_layer"
    (func $load_layer (param $layer_id i32) (param $dst_ptr i32) (param $max_size i32) (result i32)))
  (import "env" "memory64_read"
    (func $read (param $offset i64) (param $dst_ptr i32) (param $len i32) (result i32)))
  (import "env" "noop"
    (func $noop (param $offset i64) (param $dst_ptr i32) (param $len i32) (result i32)))

  (memory (export "memory") 1025)

  (func (export "load_layer") (param i32 i32 i32) (result i32)
    (call $load_layer (local.get 0) (local.get 1) (local.get 2)))
  (func (export "read") (param i64 i32 i32) (result i32)
    (call $read (local.get 0) (local.get 1) (local.get 2)))
  (func (export "noop") (param i64 i32 i32) (result i32)
    (call $noop (local.get 0) (local.get 1) (local.get 2)))
)
