;; bench.wat: the benchmark guest of memory64-bench (JMH). Each export is one guest call that
;; makes one host call, so a benchmark measures a real guest -> host -> guest-memory round trip:
;;   load_layer(layer_id, dst_ptr, max_size) -> i32   calls env.memory64_load_layer
;;   read(offset: i64, dst_ptr, len) -> i32            calls env.memory64_read
;;   noop(offset: i64, dst_ptr, len) -> i32            calls env.noop, a host function with
;;                                                     memory64_read's signature that does nothing:
;;                                                     the call-cost baseline
;;   and one export per other ABI function (is_enabled, stats, layer_size, stats_into,
;;   load_layer_range, layer_find, tensor_info, prefetch), each calling env.memory64_<name> with
;;   its arguments passed through: the per-function call cost
;; Memory: 1025 pages (64 MiB + 64 KiB), no maximum, so that a 64 MiB layer fits after a first
;; page left to the guest.
(module
  (import "env" "memory64_load_layer"
    (func $load_layer (param $layer_id i32) (param $dst_ptr i32) (param $max_size i32) (result i32)))
  (import "env" "memory64_read"
    (func $read (param $offset i64) (param $dst_ptr i32) (param $len i32) (result i32)))
  (import "env" "noop"
    (func $noop (param $offset i64) (param $dst_ptr i32) (param $len i32) (result i32)))
  (import "env" "memory64_is_enabled"
    (func $is_enabled (result i32)))
  (import "env" "memory64_stats"
    (func $stats (result i64)))
  (import "env" "memory64_layer_size"
    (func $layer_size (param $layer_id i32) (result i64)))
  (import "env" "memory64_stats_into"
    (func $stats_into (param $dst_ptr i32) (param $len i32) (result i32)))
  (import "env" "memory64_load_layer_range"
    (func $load_layer_range (param $layer_id i32) (param $layer_offset i64) (param $dst_ptr i32)
      (param $len i32) (result i32)))
  (import "env" "memory64_layer_find"
    (func $layer_find (param $name_ptr i32) (param $name_len i32) (result i32)))
  (import "env" "memory64_tensor_info"
    (func $tensor_info (param $name_ptr i32) (param $name_len i32) (param $dst_ptr i32)
      (param $dst_len i32) (result i32)))
  (import "env" "memory64_prefetch"
    (func $prefetch (param $layer_id i32) (result i32)))

  (memory (export "memory") 1025)

  (func (export "load_layer") (param i32 i32 i32) (result i32)
    (call $load_layer (local.get 0) (local.get 1) (local.get 2)))
  (func (export "read") (param i64 i32 i32) (result i32)
    (call $read (local.get 0) (local.get 1) (local.get 2)))
  (func (export "noop") (param i64 i32 i32) (result i32)
    (call $noop (local.get 0) (local.get 1) (local.get 2)))
  (func (export "is_enabled") (result i32)
    (call $is_enabled))
  (func (export "stats") (result i64)
    (call $stats))
  (func (export "layer_size") (param i32) (result i64)
    (call $layer_size (local.get 0)))
  (func (export "stats_into") (param i32 i32) (result i32)
    (call $stats_into (local.get 0) (local.get 1)))
  (func (export "load_layer_range") (param i32 i64 i32 i32) (result i32)
    (call $load_layer_range (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "layer_find") (param i32 i32) (result i32)
    (call $layer_find (local.get 0) (local.get 1)))
  (func (export "tensor_info") (param i32 i32 i32 i32) (result i32)
    (call $tensor_info (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "prefetch") (param i32) (result i32)
    (call $prefetch (local.get 0)))
)
