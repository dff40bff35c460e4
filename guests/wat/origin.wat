;; origin.wat: a test guest that imports only the origin design's four functions, with the
;; origin design's Wasm signatures, to prove that such guests link against this host unchanged:
;;   memory64_load_layer(layer_id: u32, wasm_ptr: u32, max_size: u32) -> i32
;;   memory64_read(offset: u64, wasm_ptr: u32, size: u32) -> i32
;;   memory64_is_enabled() -> i32
;;   memory64_stats() -> i64
;; Each is re-exported as a thin wrapper. Memory: 1 page initially, at most 16.
(module
  (import "env" "memory64_load_layer"
    (func $load_layer (param $layer_id i32) (param $wasm_ptr i32) (param $max_size i32) (result i32)))
  (import "env" "memory64_read"
    (func $read (param $offset i64) (param $wasm_ptr i32) (param $size i32) (result i32)))
  (import "env" "memory64_is_enabled"
    (func $is_enabled (result i32)))
  (import "env" "memory64_stats"
    (func $stats (result i64)))

  (memory (export "memory") 1 16)

  (func (export "load_layer") (param i32 i32 i32) (result i32)
    (call $load_layer (local.get 0) (local.get 1) (local.get 2)))
  (func (export "read") (param i64 i32 i32) (result i32)
    (call $read (local.get 0) (local.get 1) (local.get 2)))
  (func (export "is_enabled") (result i32)
    (call $is_enabled))
  (func (export "stats") (result i64)
    (call $stats))
)
