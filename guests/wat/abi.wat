;; abi.wat: a test guest that imports all twelve memory64 functions and re-exports each as a thin
;; wrapper, so a host test can call any of them with arbitrary arguments (pointers and lengths
;; are passed through unchanged; the host reads them as unsigned).
;; Memory: 1 page (64 KiB) initially, at most 16 pages; grow(pages) grows it like memory.grow.
(module
  (import "env" "memory64_load_layer"
    (func $load_layer (param $layer_id i32) (param $dst_ptr i32) (param $max_size i32) (result i32)))
  (import "env" "memory64_read"
    (func $read (param $offset i64) (param $dst_ptr i32) (param $len i32) (result i32)))
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
  (import "env" "memory64_metadata_info"
    (func $metadata_info (param $key_ptr i32) (param $key_len i32) (param $dst_ptr i32)
      (param $dst_len i32) (result i32)))
  (import "env" "memory64_metadata_read"
    (func $metadata_read (param $key_ptr i32) (param $key_len i32) (param $value_offset i64)
      (param $dst_ptr i32) (param $len i32) (result i32)))

  (memory (export "memory") 1 16)

  (func (export "load_layer") (param i32 i32 i32) (result i32)
    (call $load_layer (local.get 0) (local.get 1) (local.get 2)))
  (func (export "read") (param i64 i32 i32) (result i32)
    (call $read (local.get 0) (local.get 1) (local.get 2)))
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
  (func (export "metadata_info") (param i32 i32 i32 i32) (result i32)
    (call $metadata_info (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "metadata_read") (param i32 i32 i64 i32 i32) (result i32)
    (call $metadata_read (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))

  ;; Grows the memory by `pages` 64 KiB pages; returns the previous size in pages, or -1.
  (func (export "grow") (param $pages i32) (result i32)
    (memory.grow (local.get $pages)))
  ;; Returns the current memory size in pages.
  (func (export "pages") (result i32)
    (memory.size))
)
